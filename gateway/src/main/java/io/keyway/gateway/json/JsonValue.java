package io.keyway.gateway.json;

import java.util.List;
import java.util.Map;

/**
 * A parsed JSON value that keeps what Go's decoder keeps: the literal text of numbers and strings. etcd's
 * gateway (golang/protobuf jsonpb) re-reads those literals per field type, so its errors quote them.
 */
public sealed interface JsonValue {

  /** The JSON kind as Go's {@code UnmarshalTypeError} names it ("object", "array", ...). */
  String kind();

  /** Members in input order; a repeated name keeps the last value, as Go's map decoding does. */
  record Obj(Map<String, JsonValue> members) implements JsonValue {
    @Override public String kind() { return "object"; }
  }

  record Arr(List<JsonValue> elements) implements JsonValue {
    @Override public String kind() { return "array"; }
  }

  /** {@code raw} is the literal including its quotes and escapes, exactly as sent. */
  record Str(String value, byte[] raw) implements JsonValue {
    @Override public String kind() { return "string"; }

    /** The literal between the quotes, not unescaped (jsonpb's {@code trimQuote}). */
    public byte[] inner() {
      byte[] out = new byte[raw.length - 2];
      System.arraycopy(raw, 1, out, 0, out.length);
      return out;
    }
  }

  record Num(String literal) implements JsonValue {
    @Override public String kind() { return "number"; }
  }

  record Bool(boolean value) implements JsonValue {
    @Override public String kind() { return "bool"; }
  }

  enum Null implements JsonValue {
    INSTANCE;

    @Override public String kind() { return "null"; }
  }
}
