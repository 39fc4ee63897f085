package io.keyway.store.watch;

import static io.keyway.store.watch.WatchFixture.ZERO;
import static io.keyway.store.watch.WatchFixture.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watchers that start in the past or fall behind: history, the hand-over to live, compaction, slow readers. */
class CatchUpTest {
  @TempDir Path dir;

  static WatchCreateRequest.Builder on(String key) {
    return WatchCreateRequest.newBuilder().setKey(bs(key));
  }

  static List<Event> events(List<WatchResponse> responses) {
    return responses.stream().flatMap(r -> r.getEventsList().stream()).toList();
  }

  static Predicate<Event> key(String k) {
    return e -> e.getKv().getKey().equals(bs(k));
  }

  /** One watcher of the concurrent test and what it should see. */
  record Spec(WatchClient client, long id, long start, Predicate<Event> keys, boolean prevKv,
      WatchCreateRequest request) {}

  /** A consumer thread per stream, reading like a transport; some pause now and then to overflow buffers. */
  static final class Reader extends Thread {
    final WatchClient client;
    final List<WatchResponse> got = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final boolean slow;

    Reader(WatchClient client, boolean slow) {
      this.client = client;
      this.slow = slow;
      setDaemon(true);
    }

    @Override
    public void run() {
      int n = 0;
      while (!stop.get()) {
        WatchResponse r = client.stream.poll();
        if (r == null) {
          try {
            client.ready.tryAcquire(5, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            return;
          }
          continue;
        }
        synchronized (got) {
          got.add(r);
        }
        if (slow && ++n % 16 == 0) {
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    List<WatchResponse> of(long id) {
      synchronized (got) {
        return got.stream().filter(r -> r.getWatchId() == id).toList();
      }
    }
  }

  @Test
  void watchersJoiningAtRandomRevisionsDuringWritesSeeEveryEventExactlyOnce() throws Exception {
    WatchOptions options = WatchOptions.defaults().withBuffer(8, 1 << 20).withCatchUp(5, 3);
    try (WatchFixture f = new WatchFixture(dir, options)) {
      Random random = new Random(42);
      for (int i = 0; i < 30; i++) {
        f.put(String.format("k%02d", random.nextInt(20)), "init" + i);
      }
      java.util.concurrent.atomic.AtomicReference<Throwable> writeFailure = new java.util.concurrent.atomic.AtomicReference<>();
      Thread writer = new Thread(() -> {
        Random r = new Random(7);
        for (int i = 0; i < 1500; i++) {
          int n = r.nextInt(20);
          String k = String.format("k%02d", n);
          double p = r.nextDouble();
          if (p < 0.1) {
            f.delete(k);
          } else if (p < 0.17) {
            f.putAll(k, "t" + i, String.format("k%02d", (n + 7) % 20), "u" + i, "k1x", "w" + i);
          } else {
            f.put(k, "v" + i);
          }
          if (i % 100 == 0) {
            Thread.yield(); // let joiners in while history is still short
          }
        }
      });
      writer.setUncaughtExceptionHandler((t, e) -> writeFailure.set(e));
      List<Reader> readers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Reader reader = new Reader(f.client(), i % 2 == 1);
        readers.add(reader);
        reader.start();
      }
      writer.start();
      List<Spec> specs = new ArrayList<>();
      for (int j = 0; j < 24; j++) {
        Thread.sleep(3);
        WatchClient c = readers.get(j % 4).client;
        long start = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt((int) f.revision());
        WatchCreateRequest.Builder req = WatchCreateRequest.newBuilder().setStartRevision(start).setPrevKv(j % 2 == 0);
        Predicate<Event> keys;
        switch (j % 3) {
          case 0 -> {
            String k = String.format("k%02d", random.nextInt(20));
            req.setKey(bs(k));
            keys = key(k);
          }
          case 1 -> {
            req.setKey(bs("k1")).setRangeEnd(bs("k2"));
            keys = e -> e.getKv().getKey().toStringUtf8().startsWith("k1");
          }
          default -> {
            req.setRangeEnd(ZERO);
            keys = e -> true;
          }
        }
        long id = c.stream.create(req.build());
        assertTrue(id >= 0);
        specs.add(new Spec(c, id, start, keys, j % 2 == 0, req.build()));
      }
      writer.join();
      assertNull(writeFailure.get());
      long last = f.revision();
      assertTrue(last > 1200, "the writer committed its revisions: " + last);

      Map<Spec, Reader> readerOf = new HashMap<>();
      for (Spec s : specs) {
        readerOf.put(s, readers.stream().filter(r -> r.client == s.client()).findFirst().orElseThrow());
      }
      long deadline = System.currentTimeMillis() + 20_000;
      for (Spec s : specs) {
        Reader reader = readerOf.get(s);
        while (true) {
          List<WatchResponse> rs = reader.of(s.id());
          long created = rs.isEmpty() ? 0 : rs.get(0).getHeader().getRevision();
          long from = s.start() == 0 ? created + 1 : s.start();
          List<Event> want = f.expected(from, s.keys());
          List<Event> have = events(rs);
          long wantLast = want.isEmpty() ? 0 : want.get(want.size() - 1).getKv().getModRevision();
          long haveLast = have.isEmpty() ? 0 : have.get(have.size() - 1).getKv().getModRevision();
          if (!rs.isEmpty() && haveLast >= wantLast) {
            break;
          }
          assertTrue(System.currentTimeMillis() < deadline, "watcher " + s.id() + " stuck at " + haveLast
              + " of " + wantLast);
          Thread.sleep(10);
        }
      }
      Thread.sleep(50); // anything extra (a duplicate) would arrive now
      readers.forEach(r -> r.stop.set(true));
      for (Reader r : readers) {
        r.join();
      }

      for (Spec s : specs) {
        List<WatchResponse> rs = readerOf.get(s).of(s.id());
        WatchResponse created = rs.get(0);
        assertTrue(created.getCreated() && !created.getCanceled(), "created comes first: " + created);
        long from = s.start() == 0 ? created.getHeader().getRevision() + 1 : s.start();
        List<Event> want = f.expected(from, s.keys());
        if (!s.prevKv()) {
          want = WatchClient.withoutPrevKv(want);
        }
        List<WatchResponse> eventResponses = rs.subList(1, rs.size());
        assertEquals(want, events(eventResponses), "watcher " + s.id() + " " + s.request());
        Map<Long, Integer> responseOfRevision = new HashMap<>();
        for (int i = 0; i < eventResponses.size(); i++) {
          WatchResponse r = eventResponses.get(i);
          assertFalse(r.getCanceled() || r.getCreated() || r.getFragment());
          for (Event e : r.getEventsList()) {
            long rev = e.getKv().getModRevision();
            Integer other = responseOfRevision.putIfAbsent(rev, i);
            assertTrue(other == null || other == i, "revision " + rev + " split over two responses");
            assertTrue(r.getHeader().getRevision() >= rev, "header revision covers its events");
          }
        }
      }
      assertEquals(0, f.watch.unsyncedWatchers());
      assertEquals(24, f.watch.watchers());
    }
  }

  @Test
  void commitsDuringACatchUpReadAreNeitherLostNorRepeated() {
    try (WatchFixture f = new WatchFixture(dir, WatchOptions.defaults())) {
      for (int i = 0; i < 5; i++) {
        f.put("k", "old" + i); // revisions 2..6
      }
      WatchClient c = f.client();
      f.kv.closeGate();
      c.watch(on("k").setStartRevision(3));
      assertTrue(c.expectNext().getCreated());
      f.kv.arrived.acquireUninterruptibly(); // the catch-up read of [3, 6] is under way
      for (int i = 0; i < 3; i++) {
        f.put("k", "during" + i); // revisions 7..9, announced while the watcher is unsynced
      }
      f.kv.openGate();
      f.put("k", "after"); // revision 10, racing with the catch-up
      List<Event> got = c.events(8);
      assertEquals(WatchClient.withoutPrevKv(f.expected(3, e -> true)), got);
      c.expectSilence(50);
      assertEquals(0, f.watch.unsyncedWatchers());
    }
  }

  @Test
  void startBelowTheCompactionIsCanceledWithTheCompactRevision() {
    try (WatchFixture f = new WatchFixture(dir, WatchOptions.defaults())) {
      for (int i = 1; i <= 10; i++) {
        f.put("k", "v" + i); // revisions 2..11
      }
      f.compact(7);
      WatchClient c = f.client();
      assertEquals(0, c.watch(on("k").setStartRevision(3)));
      WatchResponse created = c.expectNext();
      assertTrue(created.getCreated());
      assertEquals(11, created.getHeader().getRevision());
      WatchResponse canceled = c.expectNext();
      assertEquals(0, canceled.getWatchId());
      assertTrue(canceled.getCanceled());
      assertFalse(canceled.getCreated());
      assertEquals(7, canceled.getCompactRevision());
      assertEquals(0, canceled.getHeader().getRevision(), "etcd sends no revision with a compaction cancel");
      assertEquals("", canceled.getCancelReason());

      assertEquals(1, c.watch(on("k").setStartRevision(7)), "the compaction revision itself is still readable");
      assertTrue(c.expectNext().getCreated());
      List<Event> got = c.events(5);
      assertEquals(List.of(7L, 8L, 9L, 10L, 11L), got.stream().map(e -> e.getKv().getModRevision()).toList());
      assertEquals(1, f.watch.watchers());

      c.stream.requestProgress();
      c.expectSilence(50); // as in etcd, a compacted watcher still on the stream is not synced
      c.stream.cancel(0);
      assertTrue(c.expectNext().getCanceled());
      c.stream.requestProgress();
      assertEquals(-1, c.expectNext().getWatchId());
    }
  }

  @Test
  void aSlowWatcherThatFallsBehindACompactionIsCanceled() {
    try (WatchFixture f = new WatchFixture(dir, WatchOptions.defaults().withBuffer(2, 1 << 20))) {
      WatchClient c = f.client();
      c.watch(on("k")); // its created response takes one of the two places
      f.put("k", "1"); // revision 2 takes the other
      f.put("k", "2");
      f.put("k", "3");
      assertEquals(2, c.stream.bufferedResponses());
      assertEquals(1, f.watch.unsyncedWatchers());
      f.compact(f.revision());
      List<WatchResponse> got = c.until(rs -> rs.size() == 3);
      assertTrue(got.get(0).getCreated());
      assertEquals(2, got.get(1).getEvents(0).getKv().getModRevision());
      assertTrue(got.get(2).getCanceled());
      assertEquals(4, got.get(2).getCompactRevision());
      f.put("k", "4");
      c.expectSilence(100);
      assertEquals(0, f.watch.watchers());
    }
  }

  @Test
  void aConsumerThatStopsReadingHoldsABoundedBufferAndLaterGetsEverythingInOrder() {
    WatchOptions options = WatchOptions.defaults().withBuffer(4, 1 << 20).withCatchUp(50, 512);
    try (WatchFixture f = new WatchFixture(dir, options)) {
      WatchClient c = f.client();
      c.watch(WatchCreateRequest.newBuilder().setRangeEnd(ZERO).setPrevKv(true));
      long maxBuffered = 0;
      long maxBytes = 0;
      for (int i = 0; i < 400; i++) {
        f.put("k" + (i % 7), "value-" + i);
        maxBuffered = Math.max(maxBuffered, c.stream.bufferedResponses());
        maxBytes = Math.max(maxBytes, c.stream.bufferedBytes());
      }
      assertTrue(maxBuffered <= 4, "buffer bound held: " + maxBuffered);
      assertTrue(maxBytes < 4096, "a handful of small responses: " + maxBytes);
      assertTrue(c.stream.backlogged());
      assertEquals(1, f.watch.unsyncedWatchers(), "the watcher left the live feed");

      assertTrue(c.expectNext().getCreated());
      List<Event> got = c.events(400);
      assertEquals(f.expected(2, e -> true), got);
      assertEquals(0, f.watch.unsyncedWatchers(), "caught up, it is live again");
      f.put("k0", "live");
      WatchResponse live = c.expectNext();
      assertEquals(f.revision(), live.getHeader().getRevision());
      assertEquals("live", live.getEvents(0).getKv().getValue().toStringUtf8());
      assertFalse(c.stream.backlogged());
    }
  }

  @Test
  void revisionsWhoseNotificationWasMissedAreReplayedFromHistory() {
    try (WatchFixture f = new WatchFixture(dir, WatchOptions.defaults())) {
      WatchClient c = f.client();
      c.watch(WatchCreateRequest.newBuilder().setRangeEnd(ZERO));
      c.expectNext();
      f.put("a", "1");
      f.kv.swallowNotifications = true; // as when a snapshot replaces the store's content
      f.put("b", "2");
      f.put("c", "3");
      f.kv.swallowNotifications = false;
      f.put("d", "4"); // revision 5 arrives after 2: the gap is read from history
      assertEquals(WatchClient.withoutPrevKv(f.expected(2, e -> true)), c.events(4));

      f.kv.swallowNotifications = true;
      f.put("e", "5");
      f.kv.swallowNotifications = false;
      f.watch.storeRestored();
      List<Event> restored = c.events(1);
      assertEquals("e", restored.get(0).getKv().getKey().toStringUtf8());
      assertEquals(6, f.watch.revision());
      c.expectSilence(50);
    }
  }

  @Test
  void aStoreThatReportsItsReplacementTriggersTheReplayWithoutAWrite() {
    try (WatchFixture f = new WatchFixture(dir, WatchOptions.defaults())) {
      WatchClient c = f.client();
      c.watch(WatchCreateRequest.newBuilder().setRangeEnd(ZERO));
      c.expectNext();
      f.kv.swallowNotifications = true; // the snapshot brings revisions this member never applied itself
      f.put("a", "1");
      f.put("b", "2");
      f.kv.swallowNotifications = false;
      f.kv.announceReplaced();
      assertEquals(List.of("a", "b"), c.events(2).stream().map(e -> e.getKv().getKey().toStringUtf8()).toList());
      assertEquals(3, f.watch.revision());
      c.expectSilence(50);
    }
  }

  @Test
  void aFutureStartRevisionWaitsForIt() {
    try (WatchFixture f = new WatchFixture(dir, WatchOptions.defaults())) {
      WatchClient c = f.client();
      c.watch(on("k").setStartRevision(4));
      assertEquals(1, c.expectNext().getHeader().getRevision());
      for (int i = 0; i < 5; i++) {
        f.put("k", "v" + i); // revisions 2..6
      }
      assertEquals(List.of(4L, 5L, 6L), c.events(3).stream().map(e -> e.getKv().getModRevision()).toList());
      c.expectSilence(50);
      assertNull(c.stream.poll());
    }
  }
}
