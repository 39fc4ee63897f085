package io.keyway.gateway.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class ZapJsonEncoderTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("io.keyway.gateway.Example");
  private final ZapJsonEncoder encoder = new ZapJsonEncoder();

  private JsonNode encode(Level level, String message, Throwable thrown, Object... args) throws Exception {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, args);
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n"));
    assertEquals(1, line.split("\n", -1).length - 1, "one line: " + line);
    return new ObjectMapper().readTree(line);
  }

  @Test
  void zapKeysInOrder() throws Exception {
    JsonNode entry = encode(Level.INFO, "serving on {} \"quoted\"\nnext", null, "http://x");
    assertEquals(List.of("level", "ts", "caller", "msg"), fieldNames(entry));
    assertEquals("info", entry.get("level").asText());
    assertTrue(entry.get("ts").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"), entry.toString());
    assertEquals("serving on http://x \"quoted\"\nnext", entry.get("msg").asText());
    assertTrue(entry.get("caller").asText().matches("[a-z]+/\\w+(\\.java:\\d+)?"), entry.toString());
  }

  @Test
  void throwableIsAnErrorFieldWithAStackTraceOnlyAtErrorLevel() throws Exception {
    JsonNode warn = encode(Level.WARN, "bad request", new IllegalArgumentException("key is not provided"));
    assertEquals("warn", warn.get("level").asText());
    assertEquals("key is not provided", warn.get("error").asText());
    assertFalse(warn.has("stacktrace"));
    JsonNode error = encode(Level.ERROR, "cannot start", new IllegalStateException("disk gone"));
    assertTrue(error.get("stacktrace").asText().startsWith("java.lang.IllegalStateException: disk gone"));
  }

  @Test
  void keyValuePairsBecomeFields() throws Exception {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.DEBUG, "watch", null, null);
    event.addKeyValuePair(new KeyValuePair("watch-id", 7L));
    event.addKeyValuePair(new KeyValuePair("key", "a"));
    JsonNode entry = new ObjectMapper().readTree(encoder.encode(event));
    assertEquals("debug", entry.get("level").asText());
    assertEquals(7, entry.get("watch-id").asLong());
    assertEquals("a", entry.get("key").asText());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
