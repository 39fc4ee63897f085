package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Maintenance RPCs against the Keyway executable with the real etcdctl 3.4.23 and the HTTP gateway: HashKV,
 * Hash, Defragment, alarms (with NOSPACE enforcement and /health) and Snapshot.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceIT {
  private static ServerProcess keyway;
  private static Etcdctl ctl;
  private static HttpJson http;

  @BeforeAll
  static void start() {
    keyway = new KeywayProcess("maintenance");
    keyway.start();
    ctl = keyway.etcdctl();
    http = keyway.http();
  }

  @AfterAll
  static void stop() {
    if (keyway != null) {
      keyway.close();
    }
  }

  private static String ok(String... args) {
    Etcdctl.Result r = ctl.run(args);
    assertEquals(0, r.exitCode(), () -> String.join(" ", args) + ": " + r);
    return r.stdout();
  }

  private static String hashOf(String hashkvLine) {
    String[] parts = hashkvLine.trim().split(", ");
    assertEquals(2, parts.length, hashkvLine);
    return parts[1];
  }

  private static String memberId() {
    return http.post("/v3/maintenance/status", "{}").json().path("header").path("member_id").asText();
  }

  @Test
  @Order(1)
  void hashKvIsStableAndFollowsWrites() {
    ok("put", "k1", "v1");
    String first = hashOf(ok("endpoint", "hashkv"));
    assertEquals(first, hashOf(ok("endpoint", "hashkv")));
    ok("put", "k2", "v2");
    String second = hashOf(ok("endpoint", "hashkv"));
    assertNotEquals(first, second);

    JsonNode kv = http.post("/v3/maintenance/hashkv", "{}").json();
    assertEquals(Long.parseLong(second), kv.path("hash").asLong());
    assertTrue(kv.path("hash").isNumber(), kv.toString()); // uint32: a JSON number
    assertTrue(kv.path("header").path("revision").isTextual(), kv.toString());
    HttpResult future = http.post("/v3/maintenance/hashkv", "{\"revision\":\"1000\"}");
    assertEquals(400, future.status(), future.toString());
    assertTrue(future.body().contains("required revision is a future revision"), future.body());

    JsonNode whole = http.post("/v3/maintenance/hash", "{}").json();
    assertTrue(whole.path("hash").isNumber(), whole.toString());
  }

  @Test
  @Order(2)
  void defragmentAnswersEmpty() {
    String out = ok("defrag");
    assertTrue(out.startsWith("Finished defragmenting etcd member["), out);
    HttpResult r = http.post("/v3/maintenance/defragment", "{}");
    assertEquals(200, r.status());
    assertEquals("{}", r.body());
    assertEquals("v1", ok("get", "k1", "--print-value-only").trim());
  }

  @Test
  @Order(3)
  void noSpaceAlarmRefusesWritesUntilDisarmed() {
    String id = memberId();
    assertEquals("", ok("alarm", "list"));
    JsonNode activated = http.post("/v3/maintenance/alarm",
        "{\"action\":\"ACTIVATE\",\"memberID\":\"" + id + "\",\"alarm\":\"NOSPACE\"}").json();
    assertEquals("NOSPACE", activated.path("alarms").path(0).path("alarm").asText(), activated.toString());
    assertEquals("memberID:" + id + " alarm:NOSPACE \n", ok("alarm", "list"));

    Etcdctl.Result put = ctl.run("put", "k3", "v3");
    assertNotEquals(0, put.exitCode());
    assertTrue(put.stderr().contains("database space exceeded"), put.toString());
    HttpResult grant = http.post("/v3/lease/grant", "{\"TTL\":\"30\"}");
    assertEquals(429, grant.status(), grant.toString());
    assertEquals("v1", ok("get", "k1", "--print-value-only").trim());
    assertEquals("1\n", ok("del", "k2"));

    HttpResult health = http.get("/health");
    assertEquals(503, health.status());
    assertTrue(health.body().contains("\"reason\":\"ALARM NOSPACE\""), health.body());
    assertEquals(200, http.get("/health?exclude=NOSPACE").status());
    JsonNode status = http.post("/v3/maintenance/status", "{}").json();
    assertEquals("memberID:" + id + " alarm:NOSPACE ", status.path("errors").path(0).asText(), status.toString());

    // NONE cannot be raised: the request is answered without alarms
    JsonNode none = http.post("/v3/maintenance/alarm", "{\"action\":\"ACTIVATE\",\"alarm\":\"NONE\"}").json();
    assertTrue(none.path("alarms").isMissingNode(), none.toString());

    ok("alarm", "disarm");
    assertEquals("", ok("alarm", "list"));
    ok("put", "k3", "v3");
    assertEquals(200, http.get("/health").status());
    JsonNode again = http.post("/v3/maintenance/alarm",
        "{\"action\":\"DEACTIVATE\",\"memberID\":\"" + id + "\",\"alarm\":\"NOSPACE\"}").json();
    assertTrue(again.path("alarms").isMissingNode(), again.toString());
  }

  @Test
  @Order(4)
  void snapshotSaveCompletes() throws Exception {
    Path file = keyway.dataDir().resolveSibling("maintenance-snapshot.db");
    Files.deleteIfExists(file);
    Etcdctl.Result r = ctl.run("snapshot", "save", file.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("Snapshot saved at " + file), r.toString());
    byte[] saved = Files.readAllBytes(file);
    assertTrue(saved.length > 32);
    byte[] content = Arrays.copyOf(saved, saved.length - 32);
    byte[] trailer = Arrays.copyOfRange(saved, saved.length - 32, saved.length);
    assertTrue(Arrays.equals(MessageDigest.getInstance("SHA-256").digest(content), trailer));
    assertEquals(0, content.length % 512);

    HttpResult stream = http.post("/v3/maintenance/snapshot", "{}");
    assertEquals(200, stream.status());
    String[] lines = stream.body().split("\n");
    assertTrue(lines.length >= 2, stream.body());
    JsonNode first = Json.parse(lines[0]).path("result");
    assertFalse(first.path("blob").isMissingNode(), lines[0]);
    JsonNode last = Json.parse(lines[lines.length - 1]).path("result");
    assertTrue(last.path("remaining_bytes").isMissingNode(), lines[lines.length - 1]);
    assertEquals(32, Base64.getDecoder().decode(last.path("blob").asText()).length);
  }
}
