package io.keyway.gateway.json;

/** Bad JSON input; the message is the text Go's decoder would have produced for the same input. */
public final class JsonDecodeException extends RuntimeException {
  public JsonDecodeException(String message) {
    super(message, null, false, false);
  }
}
