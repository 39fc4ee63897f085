package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failover of a three-member cluster of real processes: kill -9 of the leader under write load (a new leader
 * serves writes, clients see only etcd's retryable errors, no acknowledged write is lost, the killed member
 * restarts and catches up), and a frozen (SIGSTOP) minority: the majority keeps serving, a member cut off from
 * the majority refuses linearizable requests but still serves serializable reads.
 */
class ClusterFailoverIT {

  private static final int WRITERS = 3;
  private static final long WRITE_BEFORE_KILL_MILLIS = 3000;
  private static final long WRITE_AFTER_KILL_MILLIS = 8000;
  private static final long RECOVERY_MILLIS = 60_000;

  private ProcessCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void leaderKilledUnderWritesLosesNoAcknowledgedWrite() throws Exception {
    cluster = ProcessCluster.start("fo", 3);
    List<ServerProcess> all = cluster.members();
    ServerProcess leader = cluster.awaitLeader(all, 30_000);
    List<ServerProcess> survivors = new ArrayList<>(all);
    survivors.remove(leader);

    // writers use every member until the leader dies, then the survivors (as a client with endpoints would)
    AtomicBoolean killed = new AtomicBoolean();
    List<FailoverWriter> writers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    for (int i = 0; i < WRITERS; i++) {
      FailoverWriter w = new FailoverWriter(i, () -> killed.get() ? survivors : all);
      writers.add(w);
      pool.submit(w);
    }
    Thread.sleep(WRITE_BEFORE_KILL_MILLIS);
    leader.kill();
    long killedAt = System.nanoTime();
    killed.set(true);

    // a new leader among the survivors serves writes
    ServerProcess newLeader = cluster.awaitLeader(survivors, RECOVERY_MILLIS);
    assertTrue(survivors.contains(newLeader));
    long deadline = System.currentTimeMillis() + RECOVERY_MILLIS;
    while (writers.stream().mapToLong(w -> w.ackedAfter(killedAt)).sum() < 20 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(WRITE_AFTER_KILL_MILLIS);
    writers.forEach(FailoverWriter::requestStop);
    pool.shutdown();
    assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS), "writers did not stop");

    Map<String, String> acked = new HashMap<>();
    Map<String, Integer> retried = new HashMap<>();
    for (FailoverWriter w : writers) {
      acked.putAll(w.acked());
      w.retried().forEach((k, v) -> retried.merge(k, v, Integer::sum));
      assertEquals(List.of(), w.unexpected(), "clients must only see etcd's retryable errors");
    }
    long afterKill = writers.stream().mapToLong(w -> w.ackedAfter(killedAt)).sum();
    System.out.printf("failover: %d puts acknowledged (%d after the kill), retried: %s%n", acked.size(), afterKill,
        retried);
    assertTrue(afterKill > 0, "no write was acknowledged after the leader was killed");

    // every acknowledged put is on the survivors
    for (ServerProcess m : survivors) {
      assertHolds(m, acked, false);
    }

    // the killed member restarts on its data and catches up
    leader.start();
    assertHolds(leader, acked, true);
    awaitEqualHashes(all);
  }

  @Test
  void frozenMinorityRefusesLinearizableRequestsWhileMajorityServes() throws Exception {
    cluster = ProcessCluster.start("pa", 3);
    List<ServerProcess> all = cluster.members();
    ServerProcess leader = cluster.awaitLeader(all, 30_000);
    ServerProcess follower = all.stream().filter(m -> m != leader).findFirst().orElseThrow();
    ServerProcess other = all.stream().filter(m -> m != leader && m != follower).findFirst().orElseThrow();
    put(leader, "pa/before", "1");

    // one member frozen: the two others are a majority and keep serving reads and writes
    follower.freeze();
    try {
      put(leader, "pa/one-frozen", "2");
      put(other, "pa/one-frozen-via-follower", "3");
      assertEquals("2", get(other, "pa/one-frozen", false));
    } finally {
      follower.thaw();
    }
    awaitValue(follower, "pa/one-frozen-via-follower", "3");

    // two members frozen: the last one is a minority; it refuses linearizable reads and writes
    leader.freeze();
    other.freeze();
    try {
      HttpResult read = follower.http().post("/v3/kv/range", obj("key", b64("pa/before")));
      assertTrue(read.status() == 503, () -> "linearizable read on a minority member: " + read);
      String message = read.json().path("message").asText();
      assertTrue(FailoverWriter.RETRYABLE.contains(message), () -> "unexpected error " + read);
      HttpResult write = follower.http().post("/v3/kv/put", obj("key", b64("pa/minority"), "value", b64("x")));
      assertEquals(503, write.status(), write::toString);
      assertEquals("1", get(follower, "pa/before", true), "serializable reads stay local");
      HttpResult health = follower.http().get("/health");
      assertEquals(503, health.status(), health::toString);
    } finally {
      leader.thaw();
      other.thaw();
    }
    // healed: everything is served again and the three agree
    cluster.awaitLeader(all, RECOVERY_MILLIS);
    awaitValue(follower, "pa/before", "1");
    put(follower, "pa/healed", "4");
    awaitEqualHashes(all);
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private static void put(ServerProcess m, String key, String value) {
    m.http().ok("/v3/kv/put", obj("key", b64(key), "value", b64(value)));
  }

  private static String get(ServerProcess m, String key, boolean serializable) {
    JsonNode r = m.http().ok("/v3/kv/range", obj("key", b64(key), "serializable", serializable));
    JsonNode kvs = r.path("kvs");
    return kvs.isEmpty() ? null : Json.unb64(kvs.get(0).path("value").asText());
  }

  private static void awaitValue(ServerProcess m, String key, String value) {
    long deadline = System.currentTimeMillis() + RECOVERY_MILLIS;
    String last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        last = get(m, key, false);
        if (value.equals(last)) {
          return;
        }
      } catch (AssertionError e) {
        last = e.getMessage();
      }
      ServerProcess.sleep(300);
    }
    fail(m + " does not serve " + key + "=" + value + " (last: " + last + ")");
  }

  /** Every acknowledged put is on {@code m} (waiting for it to catch up when it just restarted). */
  private static void assertHolds(ServerProcess m, Map<String, String> acked, boolean wait) {
    long deadline = System.currentTimeMillis() + (wait ? RECOVERY_MILLIS : 0);
    Map<String, String> missing;
    do {
      Map<String, String> present = new HashMap<>();
      try {
        JsonNode r = m.http().ok("/v3/kv/range",
            obj("key", b64("fo/"), "range_end", b64(Json.prefixEnd("fo/"))));
        for (JsonNode kv : r.path("kvs")) {
          present.put(Json.unb64(kv.path("key").asText()), Json.unb64(kv.path("value").asText()));
        }
      } catch (AssertionError e) {
        // not serving yet
      }
      missing = new HashMap<>(acked);
      missing.entrySet().removeIf(e -> e.getValue().equals(present.get(e.getKey())));
      if (missing.isEmpty()) {
        return;
      }
      ServerProcess.sleep(500);
    } while (System.currentTimeMillis() < deadline);
    fail(missing.size() + " acknowledged puts missing on " + m + ", e.g. "
        + missing.entrySet().stream().limit(5).toList());
  }

  /** HashKV at one common revision is the same on every member. */
  private static void awaitEqualHashes(List<ServerProcess> members) {
    long deadline = System.currentTimeMillis() + RECOVERY_MILLIS;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        long rev = members.get(0).http().ok("/v3/kv/range", obj("key", b64("x"))).path("header").path("revision")
            .asLong();
        List<String> hashes = new ArrayList<>();
        for (ServerProcess m : members) {
          // a linearizable range first: the member has applied at least up to rev afterwards
          m.http().ok("/v3/kv/range", obj("key", b64("x")));
          hashes.add(m.http().ok("/v3/maintenance/hashkv", obj("revision", rev)).path("hash").asText());
        }
        last = hashes.toString();
        if (hashes.stream().distinct().count() == 1) {
          return;
        }
      } catch (AssertionError e) {
        last = e.getMessage();
      }
      ServerProcess.sleep(500);
    }
    fail("members do not agree on the KV hash: " + last);
  }
}
