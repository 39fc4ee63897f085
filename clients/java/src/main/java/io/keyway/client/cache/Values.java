package io.keyway.client.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Keys and values are bytes; these turn them into UTF-8 strings and JSON (Jackson) and back. */
public final class Values {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Values() {}

  public static ByteSequence utf8(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  public static String utf8(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** {@code value} serialized by Jackson, for a put. */
  public static ByteSequence json(Object value) {
    try {
      return ByteSequence.from(JSON.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + value.getClass().getName() + " as JSON", e);
    }
  }

  public static <T> T json(ByteSequence bytes, Class<T> type) {
    try {
      return JSON.readValue(bytes.getBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException("value is not JSON of " + type.getName(), e);
    }
  }

  public static JsonNode jsonTree(ByteSequence bytes) {
    try {
      return JSON.readTree(bytes.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("value is not JSON", e);
    }
  }
}
