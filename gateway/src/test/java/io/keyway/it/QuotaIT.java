package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backend space quota through the real executable and etcdctl: writes beyond {@code --quota-backend-bytes}
 * raise NOSPACE and fail while reads and deletes still work, and etcd's recovery playbook (compact, defragment,
 * disarm) makes writes work again. Also runs against etcd ({@code -Dkeyway.it.target=etcd}).
 */
class QuotaIT {
  private static final long QUOTA = 1 << 20;
  private static final String SPACE_EXCEEDED = "etcdserver: mvcc: database space exceeded";

  private static ServerProcess server;
  private static Etcdctl ctl;
  private static HttpJson http;

  @BeforeAll
  static void start() {
    server = ServerUnderTest.start("quota", "--quota-backend-bytes=" + QUOTA);
    ctl = server.etcdctl();
    http = server.http();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String ok(String... args) {
    Etcdctl.Result r = ctl.run(args);
    assertEquals(0, r.exitCode(), () -> String.join(" ", args) + ": " + r);
    return r.stdout();
  }

  private static JsonNode status() {
    return http.post("/v3/maintenance/status", "{}").json();
  }

  @Test
  void exceedingTheQuotaRaisesNoSpaceAndThePlaybookRecovers() {
    ok("put", "small", "kept");
    // random (incompressible) values overwriting one key: the store grows until the quota is reached
    Random random = new Random(7);
    Etcdctl.Result refused = null;
    for (int i = 0; i < 200 && refused == null; i++) {
      byte[] value = new byte[48 * 1024];
      random.nextBytes(value);
      Etcdctl.Result r = ctl.run("put", "big", Base64.getEncoder().encodeToString(value));
      if (r.exitCode() != 0) {
        refused = r;
      }
    }
    if (refused == null) {
      fail("200 puts of 64 KiB never exceeded a quota of " + QUOTA + " bytes: " + status());
    }
    assertTrue(refused.stderr().contains(SPACE_EXCEEDED), refused.toString());
    String id = status().path("header").path("member_id").asText();
    assertEquals("memberID:" + id + " alarm:NOSPACE \n", ok("alarm", "list"));

    // writes that add data fail everywhere; reads and deletes work
    Etcdctl.Result put = ctl.run("put", "tiny", "x");
    assertNotEquals(0, put.exitCode());
    assertTrue(put.stderr().contains(SPACE_EXCEEDED), put.toString());
    HttpResult grant = http.post("/v3/lease/grant", "{\"TTL\":\"30\"}");
    assertEquals(429, grant.status(), grant.toString());
    assertTrue(grant.body().contains(SPACE_EXCEEDED), grant.body());
    HttpResult txnPut = http.post("/v3/kv/txn",
        "{\"success\":[{\"request_put\":{\"key\":\"dA==\",\"value\":\"dA==\"}}]}");
    assertEquals(429, txnPut.status(), txnPut.toString());
    assertEquals("kept", ok("get", "small", "--print-value-only").trim());
    assertEquals(200, http.post("/v3/kv/txn",
        "{\"success\":[{\"request_range\":{\"key\":\"c21hbGw=\"}}]}").status());
    assertEquals("1\n", ok("del", "small"));

    HttpResult health = http.get("/health");
    assertEquals(503, health.status(), health.toString());
    // etcd 3.4's /health has no reason (3.5 added it)
    assertTrue(ServerUnderTest.isEtcd34(server) || health.body().contains("\"reason\":\"ALARM NOSPACE\""),
        health.body());
    assertEquals(200, http.get("/health?exclude=NOSPACE").status());

    // etcd's playbook: compact away the history, defragment, disarm
    long revision = status().path("header").path("revision").asLong();
    assertEquals("compacted revision " + revision + "\n", ok("compaction", "--physical", Long.toString(revision)));
    ok("defrag");
    long size = status().path("dbSize").asLong();
    assertTrue(size < QUOTA, "dbSize after compaction and defragment: " + size);
    long inUse = status().path("dbSizeInUse").asLong();
    assertTrue(inUse > 0 && inUse <= size, "dbSizeInUse " + inUse + " of " + size);
    // still refused: the alarm stays until it is disarmed
    assertNotEquals(0, ctl.run("put", "tiny", "x").exitCode());
    ok("alarm", "disarm");
    assertEquals("", ok("alarm", "list"));
    ok("put", "tiny", "x");
    assertEquals("x", ok("get", "tiny", "--print-value-only").trim());
    assertEquals(200, http.post("/v3/lease/grant", "{\"TTL\":\"30\"}").status());
    assertEquals(200, http.get("/health").status());
  }
}
