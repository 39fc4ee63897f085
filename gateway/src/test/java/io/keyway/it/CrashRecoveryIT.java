package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyway.it.AckingWriter.AckedPut;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Durability under kill -9: concurrent writers record every acknowledged put; the server is killed mid-stream and
 * restarted on the same data dir; every acknowledged put must still be there, at its own revision, twice over.
 */
class CrashRecoveryIT {

  private static final int WRITERS = 4;
  private static final int KEYS_PER_WRITER = 40;
  private static final long WRITE_MILLIS = 2500;
  private static final long MAX_WRITE_MILLIS = 20_000;
  private static final int MIN_ACKED_PER_PHASE = 50;

  private ServerProcess server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyAcknowledgedPutSurvivesKillMinus9() {
    server = ServerUnderTest.start("crash");
    List<AckedPut> acked = new ArrayList<>();
    Map<String, String> unacked = new HashMap<>();

    for (String phase : List.of("first", "second")) {
      long started = System.nanoTime();
      List<AckingWriter> writers = writeUntilKilled(phase);
      for (AckingWriter writer : writers) {
        acked.addAll(writer.acked());
        // an unanswered put from an earlier phase is superseded once the key is acknowledged again
        writer.acked().forEach(put -> unacked.remove(put.key()));
        if (writer.inFlightKey() != null) {
          // sent but never answered: it may or may not have been applied
          unacked.put(writer.inFlightKey(), writer.inFlightValue());
        }
      }
      long killed = System.nanoTime();
      server.start();
      long restarted = System.nanoTime();
      verifyRecovered(phase, acked, unacked);
      System.out.printf("%s phase: %d puts acknowledged, %d unanswered; write %d ms, restart %d ms, verify %d ms%n",
          phase, ackedSoFar(writers),
          writers.stream().filter(w -> w.inFlightKey() != null).count(), (killed - started) / 1_000_000,
          (restarted - killed) / 1_000_000, (System.nanoTime() - restarted) / 1_000_000);
    }
  }

  @Test
  void compactionAndRevisionSurviveKillAndGracefulRestart() {
    server = ServerUnderTest.start("compact");
    HttpJson http = server.http();
    long first = EtcdJson.revision(http.ok("/v3/kv/put", obj("key", b64("cr/k"), "value", b64("1"))));
    long second = EtcdJson.revision(http.ok("/v3/kv/put", obj("key", b64("cr/k"), "value", b64("2"))));
    long third = EtcdJson.revision(http.ok("/v3/kv/put", obj("key", b64("cr/k"), "value", b64("3"))));
    http.ok("/v3/kv/compaction", obj("revision", String.valueOf(second)));

    server.kill();
    server.start();
    assertCompactedAt(server.http(), first, second, third, "after kill -9");

    server.stop();
    server.start();
    assertCompactedAt(server.http(), first, second, third, "after a graceful stop (SIGTERM)");
  }

  private static void assertCompactedAt(HttpJson http, long first, long second, long third, String when) {
    String compacted = "etcdserver: mvcc: required revision has been compacted";
    HttpResult below = http.post("/v3/kv/range", obj("key", b64("cr/k"), "revision", String.valueOf(first)));
    assertEquals(400, below.status(), () -> when + ": range below the compaction -> " + below);
    assertEquals(compacted, below.json().path("error").asText(), when);
    HttpResult again = http.post("/v3/kv/compaction", obj("revision", String.valueOf(second)));
    assertEquals(400, again.status(), () -> when + ": compaction at the compacted revision -> " + again);
    assertEquals(compacted, again.json().path("error").asText(), when);
    JsonNode at = http.ok("/v3/kv/range", obj("key", b64("cr/k"), "revision", String.valueOf(second))).path("kvs");
    assertEquals("2", Json.unb64(at.path(0).path("value").asText()), when + ": " + at);
    JsonNode head = http.ok("/v3/kv/range", obj("key", b64("cr/k")));
    assertEquals(third, EtcdJson.revision(head), when);
    assertEquals(Json.obj("key", b64("cr/k"), "create_revision", String.valueOf(first), "mod_revision",
        String.valueOf(third), "version", "3", "value", b64("3")), head.path("kvs").path(0), when);
  }

  private List<AckingWriter> writeUntilKilled(String phase) {
    HttpJson http = server.http();
    List<AckingWriter> writers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      AckingWriter writer = new AckingWriter(i, phase, KEYS_PER_WRITER, http);
      writers.add(writer);
      Thread thread = new Thread(writer, "writer-" + phase + "-" + i);
      threads.add(thread);
      thread.start();
    }
    // ~2.5 s of writes, longer only if a loaded machine has not acknowledged enough puts yet to mean anything
    long deadline = System.nanoTime() + MAX_WRITE_MILLIS * 1_000_000;
    ServerProcess.sleep(WRITE_MILLIS);
    while (ackedSoFar(writers) < MIN_ACKED_PER_PHASE && System.nanoTime() < deadline
        && writers.stream().allMatch(w -> w.stoppedBy() == null)) {
      ServerProcess.sleep(100);
    }
    for (AckingWriter writer : writers) {
      if (writer.stoppedBy() != null) {
        server.kill();
        throw new AssertionError("writer " + writer.id() + " failed before the kill", writer.stoppedBy());
      }
    }
    server.kill();
    writers.forEach(AckingWriter::requestStop);
    for (Thread thread : threads) {
      try {
        thread.join(70_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      assertTrue(!thread.isAlive(), thread.getName() + " still blocked after the kill");
    }
    int total = ackedSoFar(writers);
    assertTrue(total >= MIN_ACKED_PER_PHASE,
        "only " + total + " puts were acknowledged in " + MAX_WRITE_MILLIS + " ms: too few to test durability");
    return writers;
  }

  private static int ackedSoFar(List<AckingWriter> writers) {
    return writers.stream().mapToInt(w -> w.acked().size()).sum();
  }

  private void verifyRecovered(String phase, List<AckedPut> acked, Map<String, String> unacked) {
    HttpJson http = server.http();
    String context = " (after the " + phase + " kill -9; " + acked.size() + " acked puts; log " + server.logFile() + ")";

    Set<Long> revisions = new HashSet<>();
    long maxAcked = 0;
    for (AckedPut put : acked) {
      assertTrue(revisions.add(put.revision()), "two acknowledged puts share revision " + put.revision() + context);
      maxAcked = Math.max(maxAcked, put.revision());
    }
    Map<Integer, Long> lastRevisionOfWriter = new HashMap<>();
    for (AckedPut put : acked) {
      Long previous = lastRevisionOfWriter.put(put.writer() * 1000 + (put.value().startsWith("first") ? 0 : 1),
          put.revision());
      assertTrue(previous == null || previous < put.revision(),
          "a writer's sequential puts must get increasing revisions: " + put + context);
    }

    JsonNode head = http.ok("/v3/kv/range", obj("key", b64("crash/"), "range_end", b64("crash0"), "count_only", true));
    long current = EtcdJson.revision(head);
    assertTrue(current >= maxAcked, "store revision " + current + " is behind acknowledged revision " + maxAcked
        + context);

    // the latest state of every key: the last acknowledged value, or the unanswered put that came after it
    Map<String, AckedPut> latest = new HashMap<>();
    for (AckedPut put : acked) {
      latest.merge(put.key(), put, (a, b) -> a.revision() > b.revision() ? a : b);
    }
    for (AckedPut last : latest.values()) {
      JsonNode kv = http.ok("/v3/kv/range", obj("key", b64(last.key()))).path("kvs").path(0);
      if (kv.isMissingNode()) {
        fail("acknowledged key " + last.key() + " (value " + last.value() + " at revision " + last.revision()
            + ") is gone" + context);
      }
      String value = Json.unb64(kv.path("value").asText());
      long mod = Long.parseLong(kv.path("mod_revision").asText());
      if (value.equals(last.value())) {
        assertEquals(last.revision(), mod, "mod_revision of " + last.key() + "=" + value + context);
      } else {
        assertEquals(unacked.get(last.key()), value, "value of " + last.key() + ": the last acknowledged put was "
            + last + ", and the only later candidate is the unanswered put" + context);
        assertTrue(mod > last.revision(), "the unanswered put of " + last.key() + " must come after " + last
            + context);
      }
    }

    // every acknowledged put, read back at its own revision: history is durable too
    List<AckedPut> ordered = new ArrayList<>(acked);
    ordered.sort(Comparator.comparingLong(AckedPut::revision));
    List<Callable<Void>> checks = new ArrayList<>();
    for (int slice = 0; slice < WRITERS; slice++) {
      List<AckedPut> mine = ordered.subList(slice * ordered.size() / WRITERS, (slice + 1) * ordered.size() / WRITERS);
      checks.add(() -> {
        mine.forEach(put -> assertReadableAtItsRevision(http, put, context));
        return null;
      });
    }
    ExecutorService readers = Executors.newFixedThreadPool(WRITERS);
    try {
      for (Future<Void> check : readers.invokeAll(checks)) {
        check.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AssertionError failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      readers.shutdownNow();
    }

    // and the store carries on from where it was
    JsonNode next = http.ok("/v3/kv/put", obj("key", b64("crash/after-" + phase), "value", b64("ok")));
    assertEquals(current + 1, EtcdJson.revision(next), "the first put after recovery" + context);
  }

  private static void assertReadableAtItsRevision(HttpJson http, AckedPut put, String context) {
    JsonNode kvs = http.ok("/v3/kv/range", obj("key", b64(put.key()), "revision", String.valueOf(put.revision())))
        .path("kvs");
    assertEquals(1, kvs.size(), () -> "acknowledged " + put + " is not readable at its revision" + context);
    assertEquals(put.value(), Json.unb64(kvs.path(0).path("value").asText()), () -> "value of " + put + context);
    assertEquals(String.valueOf(put.revision()), kvs.path(0).path("mod_revision").asText(),
        () -> "mod_revision of " + put + context);
  }
}
