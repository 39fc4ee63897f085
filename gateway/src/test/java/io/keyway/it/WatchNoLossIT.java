package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static io.keyway.it.WatchRequests.createPrefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No event lost, duplicated or reordered under load: writers put keys as fast as their acknowledgements come
 * back while many WebSocket watchers, spread over a few sockets, watch the whole prefix; afterwards every
 * watcher must have received exactly the acknowledged revisions, each once, in order. Slow sockets are part of
 * the test: a watcher whose socket lags falls back to catching up from history, and must still see everything.
 *
 * <p>Issue #4 asks for 60 s with 1000 watchers; to keep CI time reasonable the defaults are smaller and can be
 * raised: {@code -Dkeyway.it.noloss.seconds=20}, {@code -Dkeyway.it.noloss.watchers=200},
 * {@code -Dkeyway.it.noloss.sockets=4}, {@code -Dkeyway.it.noloss.writers=4}.
 */
class WatchNoLossIT {
  private static final int SECONDS = Integer.getInteger("keyway.it.noloss.seconds", 20);
  private static final int WATCHERS = Integer.getInteger("keyway.it.noloss.watchers", 200);
  private static final int SOCKETS = Integer.getInteger("keyway.it.noloss.sockets", 4);
  private static final int WRITERS = Integer.getInteger("keyway.it.noloss.writers", 4);
  private static final String PREFIX = "nl/";

  private static KeywayProcess server;

  @BeforeAll
  static void startServer() {
    server = new KeywayProcess("watch-noloss");
    try {
      server.start();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** What one watcher received: event revisions in arrival order. */
  private static final class Seen {
    final List<Long> revisions = Collections.synchronizedList(new ArrayList<>());
    volatile long last;
  }

  @Test
  void everyWatcherSeesEveryAcknowledgedWriteExactlyOnceInOrder() throws Exception {
    Map<Long, Seen> seen = new ConcurrentHashMap<>();
    for (long id = 0; id < WATCHERS; id++) {
      seen.put(id, new Seen());
    }
    CountDownLatch created = new CountDownLatch(WATCHERS);
    AtomicReference<String> problem = new AtomicReference<>();
    AtomicLong messages = new AtomicLong();
    List<WsWatch> sockets = new ArrayList<>();
    try {
      for (int s = 0; s < SOCKETS; s++) {
        sockets.add(WsWatch.connect(server.clientUrl(), "/v3/watch", text -> {
          messages.incrementAndGet();
          JsonNode result = Json.parse(text).path("result");
          long id = WatchRequests.watchId(result);
          Seen watcher = seen.get(id);
          if (watcher == null || result.path("canceled").asBoolean() || !result.has("header")) {
            problem.compareAndSet(null, "unexpected message " + text);
            return;
          }
          if (result.path("created").asBoolean()) {
            created.countDown();
            return;
          }
          for (JsonNode event : result.path("events")) {
            long rev = Long.parseLong(event.path("kv").path("mod_revision").asText());
            if (rev <= watcher.last) {
              problem.compareAndSet(null, "watcher " + id + " got revision " + rev + " after " + watcher.last);
            }
            watcher.last = rev;
            watcher.revisions.add(rev);
          }
        }));
      }
      for (long id = 0; id < WATCHERS; id++) {
        sockets.get((int) (id % SOCKETS)).sendText(createPrefix(PREFIX, "watch_id", Long.toString(id)));
      }
      assertTrue(created.await(60, TimeUnit.SECONDS), "not every watcher was created: " + created.getCount()
          + " missing; " + problem.get());

      List<Long> acknowledged = write();
      long finalRevision = acknowledged.get(acknowledged.size() - 1);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + SECONDS);
      while (problem.get() == null && System.nanoTime() < deadline
          && seen.values().stream().anyMatch(w -> w.last < finalRevision)) {
        Thread.sleep(100);
      }
      if (problem.get() != null) {
        fail(problem.get());
      }
      long behind = seen.values().stream().filter(w -> w.last < finalRevision).count();
      assertEquals(0, behind, behind + " watchers did not reach revision " + finalRevision);
      for (Map.Entry<Long, Seen> e : seen.entrySet()) {
        List<Long> got = e.getValue().revisions;
        synchronized (got) {
          if (!got.equals(acknowledged)) {
            fail("watcher " + e.getKey() + " got " + got.size() + " events for " + acknowledged.size()
                + " writes; first difference at index " + firstDifference(got, acknowledged));
          }
        }
      }
      System.out.printf("no-loss: %d writes by %d writers in %d s, %d watchers on %d sockets, %d events in %d "
          + "messages delivered%n", acknowledged.size(), WRITERS, SECONDS, WATCHERS, SOCKETS,
          (long) acknowledged.size() * WATCHERS, messages.get());
    } finally {
      sockets.forEach(WsWatch::close);
    }
  }

  /** Puts from every writer until the time is up; the revisions of all acknowledged puts, sorted. */
  private static List<Long> write() throws InterruptedException {
    ConcurrentLinkedQueue<Long> revisions = new ConcurrentLinkedQueue<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Thread t = new Thread(() -> {
        HttpJson http = server.http();
        try {
          for (int n = 0; System.nanoTime() < end; n++) {
            String key = PREFIX + "w" + writer + "/" + (n % 50);
            revisions.add(EtcdJson.revision(http.ok("/v3/kv/put", obj("key", b64(key), "value",
                b64("value " + n)))));
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "no-loss-writer-" + w);
      writers.add(t);
      t.start();
    }
    for (Thread t : writers) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a writer failed", failure.get());
    }
    List<Long> sorted = new ArrayList<>(revisions);
    Collections.sort(sorted);
    assertTrue(sorted.size() > 0, "no write was acknowledged");
    return sorted;
  }

  private static int firstDifference(List<Long> a, List<Long> b) {
    int i = 0;
    while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
      i++;
    }
    return i;
  }
}
