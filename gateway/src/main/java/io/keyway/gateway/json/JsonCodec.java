package io.keyway.gateway.json;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * etcd 3.5's gateway JSON: requests read like golang/protobuf jsonpb (see {@link ProtoJsonReader}),
 * responses printed like grpc-gateway v1's {@code JSONPb{OrigName: true}}: proto field names, defaults
 * omitted, 64-bit integers as strings, bytes as standard base64, enums by name, no whitespace.
 */
public final class JsonCodec {
  private JsonCodec() {}

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  /**
   * Merges the first JSON value of {@code body} into {@code builder}. An empty body or a literal
   * {@code null} is an empty request; anything after the first value is ignored (Go's json.Decoder).
   *
   * @throws JsonDecodeException with Go's message when etcd's gateway would reject the input
   */
  public static <B extends Message.Builder> B merge(byte[] body, B builder) {
    ProtoJsonReader.merge(GoJsonReader.decodeFirst(body), builder);
    return builder;
  }

  /** Merges an already parsed JSON value into {@code builder}, with the same rules as {@link #merge(byte[], Message.Builder)}. */
  public static <B extends Message.Builder> B merge(JsonValue value, B builder) {
    ProtoJsonReader.merge(value, builder);
    return builder;
  }

  public static String print(MessageOrBuilder message) {
    String fast = KvJsonPrinter.tryPrint(message);
    if (fast != null) {
      return fast; // the hot KV and watch responses, byte for byte what JsonFormat prints (KvJsonPrinterTest)
    }
    return printWithJsonFormat(message);
  }

  /** protobuf's JsonFormat, which {@link KvJsonPrinter} must match. */
  static String printWithJsonFormat(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // only thrown for Any/well-known types, which etcd's API does not use
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }
}
