package io.keyway.gateway.json;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Fills a protobuf builder from a JSON tree with the rules of golang/protobuf 1.5 {@code jsonpb} as used by
 * etcd 3.5's gateway ({@code AllowUnknownFields}): proto or JSON field names (the JSON name wins), unknown
 * fields and nulls ignored, 64-bit integers as numbers or strings, bytes as padded standard base64, enums by
 * name or number, and Go's error texts for everything it rejects (a boolean given as a string, an unknown
 * enum name, URL-safe base64 ...).
 */
public final class ProtoJsonReader {
  private ProtoJsonReader() {}

  /** Protobuf-java refuses to parse messages nested deeper than this, so the Raft log could not hold them. */
  private static final int MAX_MESSAGE_DEPTH = 100;

  /** Merges a top-level value; null (no input) and JSON null leave the builder untouched, as jsonpb does. */
  public static void merge(JsonValue value, Message.Builder builder) {
    if (value == null || value == JsonValue.Null.INSTANCE) {
      return;
    }
    mergeMessage(value, builder, 0);
  }

  private static void mergeMessage(JsonValue value, Message.Builder builder, int depth) {
    if (value == JsonValue.Null.INSTANCE) {
      return;
    }
    if (!(value instanceof JsonValue.Obj obj)) {
      throw typeError(value.kind(), "map[string]json.RawMessage");
    }
    if (depth > MAX_MESSAGE_DEPTH) {
      throw new JsonDecodeException("exceeded max depth");
    }
    for (FieldDescriptor fd : builder.getDescriptorForType().getFields()) {
      JsonValue raw = obj.members().get(fd.getJsonName());
      if (raw == null) {
        raw = obj.members().get(fd.getName());
      }
      if (raw == null || raw == JsonValue.Null.INSTANCE) {
        continue;
      }
      if (fd.isRepeated()) {
        if (!(raw instanceof JsonValue.Arr arr)) {
          throw typeError(raw.kind(), "[]json.RawMessage");
        }
        for (JsonValue element : arr.elements()) {
          builder.addRepeatedField(fd, singular(element, fd, builder, depth));
        }
      } else {
        builder.setField(fd, singular(raw, fd, builder, depth));
      }
    }
  }

  private static Object singular(JsonValue v, FieldDescriptor fd, Message.Builder parent, int depth) {
    switch (fd.getJavaType()) {
      case MESSAGE: {
        Message.Builder child = parent.newBuilderForField(fd);
        mergeMessage(v, child, depth + 1);
        return child.build();
      }
      case BOOLEAN:
        if (v instanceof JsonValue.Bool b) {
          return b.value();
        }
        if (v == JsonValue.Null.INSTANCE) {
          return false;
        }
        throw typeError(v.kind(), "bool");
      case STRING:
        if (v instanceof JsonValue.Str s) {
          return s.value();
        }
        if (v == JsonValue.Null.INSTANCE) {
          return "";
        }
        throw typeError(v.kind(), "string");
      case BYTE_STRING:
        return UnsafeByteOperations.unsafeWrap(bytes(v)); // always a fresh array nobody else holds
      case ENUM:
        return enumValue(v, fd);
      case LONG:
        return integer(v, fd.getType() == FieldDescriptor.Type.UINT64
            || fd.getType() == FieldDescriptor.Type.FIXED64 ? IntKind.UINT64 : IntKind.INT64).longValue();
      case INT:
        return integer(v, fd.getType() == FieldDescriptor.Type.UINT32
            || fd.getType() == FieldDescriptor.Type.FIXED32 ? IntKind.UINT32 : IntKind.INT32).intValue();
      default:
        // etcd's API has no floating-point fields
        throw new JsonDecodeException("unsupported field type " + fd.getType() + " for " + fd.getFullName());
    }
  }

  private static byte[] bytes(JsonValue v) {
    if (v instanceof JsonValue.Str s) {
      return GoBase64.decode(s.value().getBytes(StandardCharsets.UTF_8));
    }
    if (v == JsonValue.Null.INSTANCE) {
      return new byte[0];
    }
    if (v instanceof JsonValue.Arr arr) {
      // encoding/json also fills a []byte from an array of small numbers
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (JsonValue e : arr.elements()) {
        out.write(integer(e, IntKind.UINT8).intValue());
      }
      return out.toByteArray();
    }
    throw typeError(v.kind(), "[]uint8");
  }

  private static EnumValueDescriptor enumValue(JsonValue v, FieldDescriptor fd) {
    if (v instanceof JsonValue.Str s) {
      String name = new String(s.inner(), StandardCharsets.UTF_8);
      EnumValueDescriptor value = fd.getEnumType().findValueByName(name);
      if (value == null) {
        throw new JsonDecodeException("unknown value " + GoStrings.quote(s.raw()) + " for enum "
            + fd.getEnumType().getFullName());
      }
      return value;
    }
    int number = integer(v, IntKind.ENUM).intValue();
    return fd.getEnumType().findValueByNumberCreatingIfUnknown(number);
  }

  private enum IntKind {
    INT64("int64", BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE)),
    UINT64("uint64", BigInteger.ZERO, BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)),
    INT32("int32", BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE)),
    UINT32("uint32", BigInteger.ZERO, BigInteger.valueOf(0xffffffffL)),
    ENUM("protoreflect.EnumNumber", BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE)),
    UINT8("uint8", BigInteger.ZERO, BigInteger.valueOf(255));

    final String goType;
    final BigInteger min;
    final BigInteger max;

    IntKind(String goType, BigInteger min, BigInteger max) {
      this.goType = goType;
      this.min = min;
      this.max = max;
    }
  }

  /**
   * jsonpb strips one pair of quotes from the raw literal (without unescaping) and hands the rest to
   * json.Unmarshal, which then applies strconv.ParseInt/ParseUint to a number literal.
   */
  private static BigInteger integer(JsonValue v, IntKind kind) {
    JsonValue value = v;
    if (v instanceof JsonValue.Str s && kind != IntKind.UINT8 && kind != IntKind.ENUM) {
      value = GoJsonReader.unmarshal(s.inner());
    }
    if (value == JsonValue.Null.INSTANCE) {
      return BigInteger.ZERO;
    }
    if (!(value instanceof JsonValue.Num num)) {
      throw typeError(value.kind(), kind.goType);
    }
    String literal = num.literal();
    BigInteger parsed;
    try {
      parsed = new BigInteger(literal);
    } catch (NumberFormatException e) {
      throw typeError("number " + literal, kind.goType); // fraction or exponent
    }
    boolean unsigned = kind.min.signum() == 0;
    if (parsed.compareTo(kind.min) < 0 || parsed.compareTo(kind.max) > 0 || unsigned && literal.startsWith("-")) {
      throw typeError("number " + literal, kind.goType);
    }
    return parsed;
  }

  private static JsonDecodeException typeError(String what, String goType) {
    return new JsonDecodeException("json: cannot unmarshal " + what + " into Go value of type " + goType);
  }
}
