package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --logger zap}: every line the server writes is one JSON object with etcd's zap keys, on stderr and on
 * every {@code --log-outputs} target; a client's bad requests add no stack trace and at most a line each.
 * Runs against etcd too ({@code -Dkeyway.it.target=etcd}).
 */
class StructuredLogIT {
  private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal");

  @TempDir
  Path dir;

  @Test
  void everyLineIsAZapJsonObjectAndBadRequestsLogNoStackTrace() throws IOException {
    Path file = dir.resolve("keyway.log");
    try (ServerProcess server = ServerUnderTest.start("zaplog", "--logger=zap", "--log-level=info",
        "--log-outputs=stderr," + file)) {
      assertEquals(0, server.etcdctl().run("put", "log-key", "v").exitCode());
      int before = serverLines(server.logFile()).size();
      HttpJson http = server.http();
      for (String body : List.of("{\"key\": 12", "{}", "{\"key\":\"!!\"}", "[1,2]")) {
        http.post("/v3/kv/range", body); // each answered 400
      }
      server.etcdctl().run("get", ""); // key is not provided, over gRPC
      assertEquals(0, server.etcdctl().run("get", "log-key").exitCode()); // the server is still fine
      List<String> after = serverLines(server.logFile());
      List<String> added = after.subList(before, after.size());
      assertTrue(added.size() <= 5, "more than one line per bad request:\n" + String.join("\n", added));
      for (String line : added) {
        JsonNode entry = zapLine(line);
        assertFalse(entry.has("stacktrace"), "stack trace for a client error: " + line);
        assertFalse(entry.get("level").asText().equals("error"), "a client error logged as an error: " + line);
      }
      server.stop();
      List<String> all = serverLines(server.logFile());
      assertTrue(all.size() >= 3, "too few log lines: " + all);
      all.forEach(StructuredLogIT::zapLine);
      List<String> fromFile = nonEmpty(Files.readAllLines(file, StandardCharsets.UTF_8));
      assertFalse(fromFile.isEmpty(), "nothing written to --log-outputs file " + file);
      fromFile.forEach(StructuredLogIT::zapLine);
    }
  }

  private static JsonNode zapLine(String line) {
    JsonNode entry;
    try {
      entry = Json.parse(line);
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
    assertTrue(entry.isObject(), line);
    assertTrue(LEVELS.contains(entry.path("level").asText()), "level: " + line);
    assertTrue(entry.path("ts").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+(Z|[+-]\\d{4})"),
        "ts: " + line);
    assertTrue(entry.path("msg").isTextual(), "msg: " + line);
    assertTrue(entry.path("caller").isTextual(), "caller: " + line);
    return entry;
  }

  /** The lines the server wrote (stdout and stderr) since its last start, without the harness' header. */
  private static List<String> serverLines(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("===== starting: ")) {
        start = i + 1;
      }
    }
    return nonEmpty(lines.subList(start, lines.size()));
  }

  private static List<String> nonEmpty(List<String> lines) {
    List<String> kept = new ArrayList<>();
    for (String l : lines) {
      if (!l.isBlank()) {
        kept.add(l);
      }
    }
    return kept;
  }
}
