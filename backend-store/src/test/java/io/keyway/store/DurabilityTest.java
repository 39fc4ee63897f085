package io.keyway.store;

import static io.keyway.store.Reqs.*;
import static io.keyway.store.StoreFixture.error;
import static org.junit.jupiter.api.Assertions.*;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurabilityTest {
  @TempDir Path dir;

  @Test
  void replayOfAppliedIndexChangesNothing() {
    try (StoreFixture f = new StoreFixture(dir)) {
      KvStore s = f.store;
      s.put(5, put("a", "1", 1));
      s.put(6, put("b", "1"));
      f.events.clear();
      f.leases.calls.clear();
      PutResponse replay = s.put(5, put("a", "other", 2));
      assertEquals(3, replay.getHeader().getRevision());
      assertFalse(replay.hasPrevKv());
      s.deleteRange(6, del("a"));
      s.txn(4, txn(op(put("c", "1"))));
      s.compact(6, CompactionRequest.newBuilder().setRevision(2).build());
      s.deleteKeys(6, List.of(bs("a"), bs("b")));
      s.markApplied(3);
      // a replayed entry that failed the first time does not throw either
      s.put(6, put("a", "1", 99));
      assertEquals("1", s.range(get("a")).getKvs(0).getValue().toStringUtf8());
      assertEquals(3, s.revision());
      assertEquals(0, s.compactRevision());
      assertEquals(6, s.appliedIndex());
      assertTrue(f.events.isEmpty());
      assertTrue(f.leases.calls.isEmpty());

      f.reopen();
      f.store.put(6, put("a", "again"));
      assertEquals("1", f.store.range(get("a")).getKvs(0).getValue().toStringUtf8());
      f.store.put(7, put("a", "2"));
      assertEquals("2", f.store.range(get("a")).getKvs(0).getValue().toStringUtf8());
    }
  }

  @Test
  void failedWritesAreRecordedAsApplied() {
    try (StoreFixture f = new StoreFixture(dir)) {
      assertEquals(-1, f.store.appliedIndex());
      assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> f.store.put(0, put("a", "1", 42))));
      assertEquals(0, f.store.appliedIndex());
      assertEquals(EtcdError.FUTURE_REV,
          error(() -> f.store.compact(1, CompactionRequest.newBuilder().setRevision(5).build())));
      assertEquals(1, f.store.appliedIndex());
      f.reopen();
      assertEquals(1, f.store.appliedIndex());
      assertEquals(1, f.store.revision());
    }
  }

  @Test
  void groupCommitPartsOfOneEntry() {
    try (StoreFixture f = new StoreFixture(dir)) {
      KvStore s = f.store;
      s.put(10, put("x", "1"));
      s.put(11, 0, put("a", "1"));
      s.put(11, 1, put("b", "1"));
      assertEquals(10, s.appliedIndex(), "entry 11 is not complete yet");
      assertEquals(4, s.revision());
      // crash and replay of the whole entry: the applied parts are skipped, the rest applies
      f.reopen();
      s = f.store;
      s.put(11, 0, put("a", "replayed"));
      s.put(11, 1, put("b", "replayed"));
      s.txn(11, 2, txn(op(put("c", "1"))));
      s.markApplied(11);
      assertEquals(11, s.appliedIndex());
      assertEquals("1", s.range(get("a")).getKvs(0).getValue().toStringUtf8());
      assertEquals(1, s.range(get("c")).getCount());
      assertEquals(5, s.revision());
      s.put(11, 3, put("d", "1"));
      assertEquals(0, s.range(get("d")).getCount(), "parts after the closed entry are replays");
    }
  }

  @Test
  void closeAndReopenKeepTheCommittedState() {
    Map<Long, RangeResponse> before = new java.util.HashMap<>();
    try (StoreFixture f = new StoreFixture(dir)) {
      KvStore s = f.store;
      for (int i = 0; i < 50; i++) {
        s.put(f.next(), put("k" + (i % 7), "v" + i, i % 3 == 0 ? 1 : 0));
        if (i % 11 == 0) {
          s.deleteRange(f.next(), del("k" + (i % 5)));
        }
      }
      s.compact(f.next(), CompactionRequest.newBuilder().setRevision(20).build());
      s.markApplied(f.next());
      for (long rev = 20; rev <= s.revision(); rev++) {
        before.put(rev, s.range(all().toBuilder().setRevision(rev).build()));
      }
      long rev = s.revision();
      long applied = s.appliedIndex();
      Map<?, ?> attachments = Map.copyOf(f.leases.attachments);
      f.reopen();
      assertEquals(rev, f.store.revision());
      assertEquals(20, f.store.compactRevision());
      assertEquals(applied, f.store.appliedIndex());
      assertEquals(attachments, f.leases.attachments, "lease attachments are replayed to the new hooks");
      for (var e : before.entrySet()) {
        assertEquals(e.getValue(), f.store.range(all().toBuilder().setRevision(e.getKey()).build()));
      }
    }
  }

  @Test
  void checkpointAndRestore() {
    Path data = dir.resolve("data");
    Path cp = dir.resolve("checkpoint");
    Path restored = dir.resolve("restored");
    try (StoreFixture f = new StoreFixture(data)) {
      f.store.put(f.next(), put("a", "1"));
      f.store.put(f.next(), put("b", "1", 2));
      f.store.checkpoint(cp);
      RangeResponse atCheckpoint = f.store.range(all());
      f.store.put(f.next(), put("a", "2"));
      try (RocksKvStore copy = RocksKvStore.restore(cp, restored, StoreOptions.defaults())) {
        assertEquals(atCheckpoint, copy.range(all()));
        assertEquals(3, copy.revision());
        assertEquals(2, copy.appliedIndex());
        copy.put(3, put("c", "1"));
        assertEquals(4, copy.revision());
      }
      assertEquals("2", f.store.range(get("a")).getKvs(0).getValue().toStringUtf8());
      assertEquals(0, f.store.range(get("c")).getCount());
      assertTrue(f.store.sizeOnDisk() > 0);
    }
    // restoring over an existing directory replaces it
    try (RocksKvStore again = RocksKvStore.restore(cp, restored, StoreOptions.defaults())) {
      assertEquals(3, again.revision());
      assertEquals(0, again.range(get("c")).getCount());
    }
  }

  @Test
  void historyMatchesTheLiveFeed() {
    try (StoreFixture f = new StoreFixture(dir)) {
      KvStore s = f.store;
      s.put(f.next(), put("a", "1"));
      s.put(f.next(), put("a", "2", 1));
      s.txn(f.next(), txn(op(put("b", "1")), op(put("c", "1")), op(del("a"))));
      s.deleteKeys(f.next(), List.of(bs("c"), bs("b"), bs("missing")));
      s.deleteKeys(f.next(), List.of(bs("missing")));
      assertEquals(List.of(2L, 3L, 4L, 5L), f.revisions);
      List<RevisionChanges> history = s.changes(0, Long.MAX_VALUE, 1000, true);
      assertEquals(f.revisions, history.stream().map(RevisionChanges::revision).toList());
      for (int i = 0; i < history.size(); i++) {
        assertEquals(f.events.get(i), history.get(i).events(), "revision " + history.get(i).revision());
      }
      // lease revoke deletes in key order
      assertEquals(List.of("b", "c"), history.get(3).events().stream().map(e -> e.getKv().getKey().toStringUtf8()).toList());
      // without prev_kv, and stopping at whole revisions
      List<RevisionChanges> two = s.changes(3, 5, 2, false);
      assertEquals(List.of(3L, 4L), two.stream().map(RevisionChanges::revision).toList());
      assertFalse(two.get(0).events().get(0).hasPrevKv());
      assertEquals(List.of(), s.changes(6, 10, 10, true));
    }
  }

  @Test
  void readersSeeWholeRevisionsWhileTheApplyThreadWrites() throws Exception {
    try (StoreFixture f = new StoreFixture(dir)) {
      KvStore s = f.store;
      s.txn(f.next(), txn(op(put("a", "0")), op(put("b", "0"))));
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<String> problem = new AtomicReference<>();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread reader = new Thread(() -> {
          while (!stop.get() && problem.get() == null) {
            RangeResponse r = s.range(all());
            if (r.getKvsCount() != 2 || !r.getKvs(0).getValue().equals(r.getKvs(1).getValue())
                || r.getKvs(0).getModRevision() != r.getHeader().getRevision()) {
              problem.set("torn read: " + r);
            }
          }
        });
        reader.start();
        readers.add(reader);
      }
      for (int i = 1; i <= 1500; i++) {
        TxnResponse r = s.txn(f.next(), txn(op(put("a", "" + i)), op(put("b", "" + i))));
        assertEquals(i + 2, r.getHeader().getRevision());
        if (i % 500 == 0) {
          s.compact(f.next(), CompactionRequest.newBuilder().setRevision(s.revision() - 1).build());
        }
      }
      stop.set(true);
      for (Thread reader : readers) {
        reader.join();
      }
      assertNull(problem.get());
    }
  }

  @Test
  void closedStoreRefusesWork() {
    StoreFixture f = new StoreFixture(dir);
    f.close();
    assertThrows(StoreFailedException.class, () -> f.store.range(get("a")));
    assertThrows(StoreFailedException.class, () -> f.store.put(1, put("a", "1")));
    f.store.close(); // idempotent
  }

  @Test
  void eventsOfADeleteCarryOnlyKeyAndRevision() {
    try (StoreFixture f = new StoreFixture(dir)) {
      f.store.put(f.next(), put("a", "1", 3));
      f.store.deleteKeys(f.next(), List.of(bs("a")));
      Event e = f.events.get(1).get(0);
      assertEquals(Event.EventType.DELETE, e.getType());
      assertEquals(io.keyway.api.mvccpb.KeyValue.newBuilder().setKey(bs("a")).setModRevision(3).build(), e.getKv());
      assertEquals(3, e.getPrevKv().getLease());
      assertEquals(Map.of(), f.leases.attachments);
      assertTrue(f.store.range(get("a")).getKvsList().isEmpty());
    }
  }
}
