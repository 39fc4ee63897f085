package io.keyway.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Tiny builders for etcd's gateway JSON: bytes are standard base64, int64 values go out as strings. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("response is not JSON: " + text, e);
    }
  }

  /** {@code obj("key", b64("a"), "limit", 3, "prev_kv", true)}; a null value leaves the field out. */
  static ObjectNode obj(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must pair up");
    }
    ObjectNode node = MAPPER.createObjectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      Object value = keysAndValues[i + 1];
      if (value != null) {
        node.set((String) keysAndValues[i], toNode(value));
      }
    }
    return node;
  }

  static ArrayNode arr(Object... values) {
    ArrayNode node = MAPPER.createArrayNode();
    for (Object value : values) {
      node.add(toNode(value));
    }
    return node;
  }

  private static JsonNode toNode(Object value) {
    if (value instanceof JsonNode node) {
      return node;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
      // the same node class the parser would produce (IntNode vs LongNode), so equals() compares values
      return parse(value.toString());
    }
    return MAPPER.valueToTree(value);
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String unb64(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** Range end that selects every key with this prefix (last byte + 1; the test keys are ASCII). */
  static String prefixEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }
}
