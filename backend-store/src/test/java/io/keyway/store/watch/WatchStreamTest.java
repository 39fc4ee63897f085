package io.keyway.store.watch;

import static io.keyway.store.watch.WatchFixture.ZERO;
import static io.keyway.store.watch.WatchFixture.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.WatchCancelRequest;
import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchProgressRequest;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request side of a stream: creation rules, ids, cancel, progress, filters, prev_kv, key ranges. */
class WatchStreamTest {
  @TempDir Path dir;
  WatchFixture f;

  @BeforeEach
  void open() {
    f = new WatchFixture(dir, WatchOptions.defaults().withMaxWatchersPerStream(5));
  }

  @AfterEach
  void close() {
    f.close();
  }

  static WatchCreateRequest.Builder on(String key) {
    return WatchCreateRequest.newBuilder().setKey(bs(key));
  }

  static void assertRefused(WatchResponse r, EtcdError error, long revision) {
    assertEquals(-1, r.getWatchId());
    assertTrue(r.getCreated());
    assertTrue(r.getCanceled());
    assertEquals(error.message(), r.getCancelReason());
    assertEquals(revision, r.getHeader().getRevision());
  }

  @Test
  void createdComesFirstWithTheCurrentRevisionThenLiveEventsFromTheNextOne() {
    f.put("a", "1");
    f.put("a", "2"); // revision 3
    WatchClient c = f.client();
    assertEquals(0, c.watch(on("a")));
    WatchResponse created = c.expectNext();
    assertTrue(created.getCreated());
    assertFalse(created.getCanceled());
    assertEquals(0, created.getWatchId());
    assertEquals(3, created.getHeader().getRevision());
    assertEquals(0, created.getEventsCount());

    f.put("a", "3");
    WatchResponse r = c.expectNext();
    assertEquals(0, r.getWatchId());
    assertEquals(4, r.getHeader().getRevision());
    assertEquals(1, r.getEventsCount());
    assertEquals("3", r.getEvents(0).getKv().getValue().toStringUtf8());
    assertEquals(4, r.getEvents(0).getKv().getModRevision());
  }

  @Test
  void idsAreAssignedFromZeroSkippingClientChosenOnesAndDuplicatesAreRefused() {
    WatchClient c = f.client();
    assertEquals(0, c.watch(on("a")));
    assertEquals(7, c.watch(on("a").setWatchId(7)));
    assertEquals(1, c.watch(on("a")));
    assertEquals(2, c.watch(on("a").setWatchId(2)));
    assertEquals(3, c.watch(on("a")), "auto ids skip ids the client took");
    List<WatchResponse> created = c.drain();
    assertEquals(List.of(0L, 7L, 1L, 2L, 3L), created.stream().map(WatchResponse::getWatchId).toList());
    created.forEach(r -> assertTrue(r.getCreated() && !r.getCanceled()));

    assertEquals(-1, c.watch(on("a").setWatchId(7)));
    assertRefused(c.expectNext(), EtcdError.DUPLICATE_WATCH_ID, 1);
    c.stream.cancel(7);
    assertTrue(c.expectNext().getCanceled());
    // the limit is 5 watchers per stream: 4 now, so one more fits and the next is refused
    assertEquals(-5, c.watch(on("a").setWatchId(-5)), "negative client ids are accepted, as in etcd");
    assertTrue(c.expectNext().getCreated());
    assertEquals(-1, c.watch(on("a")));
    assertRefused(c.expectNext(), EtcdError.TOO_MANY_REQUESTS, 1);
    assertEquals(4, f.client().watch(on("a").setWatchId(4)), "the limit is per stream");
  }

  @Test
  void emptyRangesAndNegativeStartsAreRefusedWithEtcdsReasons() {
    f.put("x", "1");
    WatchClient c = f.client();
    c.watch(on("b").setRangeEnd(bs("a")));
    assertRefused(c.expectNext(), EtcdError.WATCHER_RANGE_EMPTY, 2);
    c.watch(on("b").setRangeEnd(bs("b")));
    assertRefused(c.expectNext(), EtcdError.WATCHER_RANGE_EMPTY, 2);
    c.watch(on("b").setStartRevision(-3));
    assertRefused(c.expectNext(), EtcdError.COMPACTED, 2);
    c.stream.reject("rpc error: code = PermissionDenied desc = etcdserver: permission denied");
    WatchResponse denied = c.expectNext();
    assertEquals(-1, denied.getWatchId());
    assertTrue(denied.getCreated() && denied.getCanceled());
    assertEquals("rpc error: code = PermissionDenied desc = etcdserver: permission denied", denied.getCancelReason());
    assertEquals(0, f.watch.watchers());
    assertEquals(0, c.watch(on("b").setRangeEnd(ZERO)), "a refused create does not use up an id");
  }

  @Test
  void keyRangeFormsSelectTheRightKeys() {
    WatchClient c = f.client();
    long single = c.watch(on("foo"));
    long prefix = c.watch(on("foo").setRangeEnd(bs("fop")));
    long fromKey = c.watch(on("fop").setRangeEnd(ZERO));
    long all = c.watch(WatchCreateRequest.newBuilder().setRangeEnd(ZERO));
    long zeroKey = c.watch(WatchCreateRequest.newBuilder()); // empty key: the single key "\0"
    c.drain();
    for (String k : List.of("a", "foo", "foo1", "fop", "z", "\0")) {
      f.put(k, "v");
    }
    List<WatchResponse> got = c.until(rs -> rs.stream().mapToInt(WatchResponse::getEventsCount).sum() == 12);
    assertEquals(List.of("foo"), keysOf(got, single));
    assertEquals(List.of("foo", "foo1"), keysOf(got, prefix));
    assertEquals(List.of("fop", "z"), keysOf(got, fromKey));
    assertEquals(List.of("a", "foo", "foo1", "fop", "z", "\0"), keysOf(got, all));
    assertEquals(List.of("\0"), keysOf(got, zeroKey));
    c.expectSilence(100);
  }

  static List<String> keysOf(List<WatchResponse> responses, long watchId) {
    return responses.stream().filter(r -> r.getWatchId() == watchId)
        .flatMap(r -> r.getEventsList().stream())
        .map(e -> e.getKv().getKey().toString(java.nio.charset.StandardCharsets.ISO_8859_1)).toList();
  }

  @Test
  void filtersDropPutsOrDeletesLiveAndFromHistory() {
    long start = f.put("k", "1") ;
    f.delete("k");
    WatchClient c = f.client();
    long noPutOld = c.watch(on("k").setStartRevision(start).addFilters(WatchCreateRequest.FilterType.NOPUT));
    long noDelOld = c.watch(on("k").setStartRevision(start).addFilters(WatchCreateRequest.FilterType.NODELETE));
    long noPut = c.watch(on("k").addFilters(WatchCreateRequest.FilterType.NOPUT));
    long noDel = c.watch(on("k").addFilters(WatchCreateRequest.FilterType.NODELETE));
    long neither = c.watch(on("k").addFilters(WatchCreateRequest.FilterType.NOPUT)
        .addFilters(WatchCreateRequest.FilterType.NODELETE));
    f.put("k", "2");
    f.delete("k");
    List<WatchResponse> got = c.until(rs -> rs.stream().mapToInt(WatchResponse::getEventsCount).sum() == 6);
    assertEquals(List.of(Event.EventType.DELETE, Event.EventType.DELETE), typesOf(got, noPutOld));
    assertEquals(List.of(Event.EventType.PUT, Event.EventType.PUT), typesOf(got, noDelOld));
    assertEquals(List.of(Event.EventType.DELETE), typesOf(got, noPut));
    assertEquals(List.of(Event.EventType.PUT), typesOf(got, noDel));
    assertTrue(got.stream().noneMatch(r -> r.getWatchId() == neither && !r.getCreated()),
        "a watcher whose events are all filtered gets no empty responses");
    c.expectSilence(100);
  }

  static List<Event.EventType> typesOf(List<WatchResponse> responses, long watchId) {
    return responses.stream().filter(r -> r.getWatchId() == watchId)
        .flatMap(r -> r.getEventsList().stream()).map(Event::getType).toList();
  }

  @Test
  void prevKvOnlyWhenAskedAndNeverForACreation() {
    long start = f.put("k", "1");
    f.put("k", "2");
    WatchClient c = f.client();
    long oldWith = c.watch(on("k").setStartRevision(start).setPrevKv(true));
    long oldWithout = c.watch(on("k").setStartRevision(start));
    long with = c.watch(on("k").setPrevKv(true));
    long without = c.watch(on("k"));
    f.delete("k");
    f.put("k", "3");
    List<WatchResponse> got = c.until(rs -> rs.stream().mapToInt(WatchResponse::getEventsCount).sum() == 12);

    List<Event> h = eventsOf(got, oldWith);
    assertEquals(4, h.size());
    assertFalse(h.get(0).hasPrevKv(), "creation");
    assertEquals("1", h.get(1).getPrevKv().getValue().toStringUtf8());
    assertEquals("2", h.get(2).getPrevKv().getValue().toStringUtf8());
    assertEquals(Event.EventType.DELETE, h.get(2).getType());
    assertFalse(h.get(3).hasPrevKv(), "re-creation after a delete");
    List<Event> live = eventsOf(got, with);
    assertEquals(h.subList(2, 4), live);
    assertEquals(WatchClient.withoutPrevKv(h), eventsOf(got, oldWithout));
    assertEquals(WatchClient.withoutPrevKv(live), eventsOf(got, without));
  }

  /** Live commits carry prev_kv read after the write; a multi-key txn mixes updates, creations and deletes. */
  @Test
  void prevKvOfEveryKeyInOneTxnRevision() {
    f.putAll("a", "1", "b", "1");
    WatchClient c = f.client();
    long with = c.watch(on("a").setRangeEnd(bs("z")).setPrevKv(true));
    long without = c.watch(on("a").setRangeEnd(bs("z")));
    f.putAll("a", "2", "c", "1", "b", "2");
    f.delete("a");
    List<WatchResponse> got = c.until(rs -> rs.stream().mapToInt(WatchResponse::getEventsCount).sum() == 8);
    List<Event> live = eventsOf(got, with);
    assertEquals(4, live.size());
    assertEquals("1", live.get(0).getPrevKv().getValue().toStringUtf8());
    assertFalse(live.get(1).hasPrevKv(), "creation");
    assertEquals("1", live.get(2).getPrevKv().getValue().toStringUtf8());
    assertEquals("b", live.get(2).getPrevKv().getKey().toStringUtf8());
    assertEquals("2", live.get(3).getPrevKv().getValue().toStringUtf8());
    assertEquals(Event.EventType.DELETE, live.get(3).getType());
    assertEquals(WatchClient.withoutPrevKv(live), eventsOf(got, without));
    assertEquals(live, f.commits.tailMap(live.get(0).getKv().getModRevision()).values().stream()
        .flatMap(List::stream).toList(), "what the store announces to a plain listener");
  }

  static List<Event> eventsOf(List<WatchResponse> responses, long watchId) {
    return responses.stream().filter(r -> r.getWatchId() == watchId)
        .flatMap(r -> r.getEventsList().stream()).toList();
  }

  @Test
  void cancelAnswersOnceAndStopsEventsAndUnknownIdsGetNoAnswer() {
    WatchClient c = f.client();
    long a = c.watch(on("k"));
    long b = c.watch(on("k"));
    c.drain();
    f.put("k", "1");
    c.stream.handle(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(a)).build());
    List<WatchResponse> got = c.until(rs -> rs.size() == 3);
    assertEquals(1, got.get(0).getEventsCount());
    assertEquals(1, got.get(1).getEventsCount());
    WatchResponse canceled = got.get(2);
    assertEquals(a, canceled.getWatchId());
    assertTrue(canceled.getCanceled());
    assertFalse(canceled.getCreated());
    assertEquals(2, canceled.getHeader().getRevision());

    c.stream.cancel(a);
    c.stream.cancel(42);
    f.put("k", "2");
    WatchResponse r = c.expectNext();
    assertEquals(b, r.getWatchId());
    assertEquals(1, r.getEventsCount());
    c.expectSilence(100);
    assertEquals(1, f.watch.watchers());
  }

  @Test
  void progressRequestAnswersOnlyWhenEveryWatcherIsSynced() {
    WatchClient c = f.client();
    c.stream.requestProgress();
    c.expectSilence(50); // no watchers: nothing, as in etcd 3.5.33

    f.put("k", "1");
    c.watch(on("k"));
    c.drain();
    c.stream.handle(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    WatchResponse p = c.expectNext();
    assertEquals(-1, p.getWatchId());
    assertEquals(2, p.getHeader().getRevision());
    assertEquals(0, p.getEventsCount());
    assertFalse(p.getCreated() || p.getCanceled() || p.getFragment());

    // a watcher waiting for a future revision is synced but has not reached its start: no progress
    c.watch(on("k").setStartRevision(50));
    c.drain();
    c.stream.requestProgress();
    c.expectSilence(50);
    c.stream.cancel(1);
    c.drain();

    // a watcher still catching up: hold the history read at the gate
    f.kv.closeGate();
    c.watch(on("k").setStartRevision(1));
    c.drain();
    f.kv.arrived.acquireUninterruptibly();
    c.stream.requestProgress();
    c.expectSilence(50);
    f.kv.openGate();
    List<WatchResponse> caughtUp = c.until(rs -> rs.size() == 1);
    assertEquals(1, caughtUp.get(0).getEventsCount());
    c.stream.requestProgress();
    assertEquals(-1, c.expectNext().getWatchId());
  }

  @Test
  void progressNotifyTicksSkipWatchersThatJustReceivedEvents() {
    WatchClient c = f.client();
    long notify = c.watch(on("k").setProgressNotify(true));
    c.watch(on("k")); // no progress_notify: never ticks
    c.drain();
    c.stream.progressTick();
    WatchResponse p = c.expectNext();
    assertEquals(notify, p.getWatchId());
    assertEquals(1, p.getHeader().getRevision());
    assertEquals(0, p.getEventsCount());
    c.expectSilence(20);

    f.put("k", "1");
    assertEquals(2, c.until(rs -> rs.size() == 2).size());
    c.stream.progressTick();
    c.expectSilence(50); // events went out since the last tick
    c.stream.progressTick();
    WatchResponse again = c.expectNext();
    assertEquals(notify, again.getWatchId());
    assertEquals(2, again.getHeader().getRevision());
  }

  @Test
  void progressNotifyRunsOnItsOwn() {
    try (WatchFixture fast = new WatchFixture(dir.resolve("fast"),
        WatchOptions.defaults().withProgressNotifyInterval(java.time.Duration.ofMillis(100)))) {
      WatchClient c = fast.client();
      long id = c.watch(on("k").setProgressNotify(true));
      c.expectNext();
      WatchResponse p = c.next(2000);
      assertEquals(id, p.getWatchId());
      assertEquals(0, p.getEventsCount());
      assertTrue(c.next(2000) != null, "notifications repeat");
    }
  }

  @Test
  void fragmentSplitsLargeResponsesOnlyForWatchersThatAskedForIt() {
    try (WatchFixture small = new WatchFixture(dir.resolve("small"),
        WatchOptions.defaults().withFragmentBytes(1000))) {
      WatchClient c = small.client();
      long frag = c.watch(on("k").setRangeEnd(bs("l")).setFragment(true));
      long whole = c.watch(on("k").setRangeEnd(bs("l")));
      c.drain();
      String big = "x".repeat(300);
      String[] kvs = new String[20];
      for (int i = 0; i < 10; i++) {
        kvs[2 * i] = "k" + i;
        kvs[2 * i + 1] = big;
      }
      long rev = small.putAll(kvs);
      List<WatchResponse> got = c.until(rs -> rs.stream().mapToInt(WatchResponse::getEventsCount).sum() == 20);
      List<WatchResponse> pieces = got.stream().filter(r -> r.getWatchId() == frag).toList();
      List<WatchResponse> single = got.stream().filter(r -> r.getWatchId() == whole).toList();
      assertEquals(1, single.size());
      assertFalse(single.get(0).getFragment());
      assertTrue(pieces.size() >= 4, "10 events of ~310 bytes under a 1000-byte budget: " + pieces.size());
      for (int i = 0; i < pieces.size(); i++) {
        WatchResponse piece = pieces.get(i);
        assertEquals(i < pieces.size() - 1, piece.getFragment());
        assertEquals(rev, piece.getHeader().getRevision());
        assertTrue(piece.getSerializedSize() < 1000);
      }
      assertEquals(single.get(0).getEventsList(),
          pieces.stream().flatMap(p -> p.getEventsList().stream()).toList());
    }
  }

  @Test
  void headersComeFromTheCallersSupplier() {
    f.put("k", "1");
    java.util.concurrent.Semaphore ready = new java.util.concurrent.Semaphore(0);
    WatchStream s = f.watch.newStream(rev -> io.keyway.api.etcdserverpb.ResponseHeader.newBuilder()
        .setClusterId(11).setMemberId(22).setRaftTerm(33).setRevision(rev).build(), ready::release);
    s.create(on("k").setStartRevision(1).build());
    assertTrue(ready.tryAcquire(), "the consumer is told when the first response is queued");
    WatchResponse created = s.poll();
    assertEquals(2, created.getHeader().getRevision());
    assertEquals(11, created.getHeader().getClusterId());
    assertEquals(22, created.getHeader().getMemberId());
    assertEquals(33, created.getHeader().getRaftTerm());
    WatchResponse r = null;
    for (int i = 0; i < 500 && r == null; i++) {
      r = s.poll();
      if (r == null) {
        try {
          ready.tryAcquire(10, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    }
    assertEquals(1, r.getEventsCount());
    assertEquals(33, r.getHeader().getRaftTerm());
    assertEquals(2, r.getHeader().getRevision());
    s.close();
  }

  @Test
  void closeRemovesEveryWatcherAndDropsWhatWasNotRead() {
    WatchClient c = f.client();
    c.watch(on("k"));
    c.watch(on("a").setRangeEnd(ZERO));
    f.put("k", "1");
    assertEquals(2, f.watch.watchers());
    c.stream.close();
    assertEquals(0, f.watch.watchers());
    assertNull(c.stream.poll());
    f.put("k", "2");
    assertNull(c.stream.poll());
    assertEquals(-1, c.watch(on("k")), "a closed stream takes no watchers");
    assertEquals(0, f.watch.watchers());
  }
}
