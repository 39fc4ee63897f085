package io.keyway.store;

import static io.keyway.store.Reqs.put;
import static io.keyway.store.Reqs.del;
import static io.keyway.store.StoreFixture.error;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.CompactionRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashTest {
  @TempDir Path dirA;
  @TempDir Path dirB;

  /** Applies the same history to a store: puts, an overwrite, a delete. Ends at revision 5. */
  private static void history(StoreFixture f) {
    f.store.put(f.next(), put("a", "1"));
    f.store.put(f.next(), put("b", "2"));
    f.store.put(f.next(), put("a", "3"));
    f.store.deleteRange(f.next(), del("b"));
  }

  private static void compact(StoreFixture f, long rev, boolean physical) {
    f.store.compact(f.next(), CompactionRequest.newBuilder().setRevision(rev).setPhysical(physical).build());
  }

  @Test
  void equalStoresHashEquallyAndRepeatably() {
    try (StoreFixture a = new StoreFixture(dirA); StoreFixture b = new StoreFixture(dirB)) {
      history(a);
      history(b);
      KvHash ha = a.store.hashKv(0);
      assertEquals(ha, a.store.hashKv(0));
      assertEquals(ha, b.store.hashKv(0));
      assertEquals(5, ha.revision());
      assertEquals(5, ha.currentRevision());
      assertEquals(0, ha.compactRevision());
      assertEquals(a.store.hash(), b.store.hash());
    }
  }

  @Test
  void hashChangesWithDataButNotForOlderRevisions() {
    try (StoreFixture f = new StoreFixture(dirA)) {
      history(f);
      KvHash at5 = f.store.hashKv(0);
      long whole = f.store.hash();
      KvHash at3 = f.store.hashKv(3);
      assertNotEquals(at5.hash(), at3.hash());
      f.store.put(f.next(), put("c", "4"));
      assertNotEquals(at5.hash(), f.store.hashKv(0).hash());
      assertEquals(at5, new KvHash(f.store.hashKv(5).hash(), 0, 5, 5));
      assertEquals(at3.hash(), f.store.hashKv(3).hash());
      assertNotEquals(whole, f.store.hash());
    }
  }

  @Test
  void rejectsCompactedAndFutureRevisions() {
    try (StoreFixture f = new StoreFixture(dirA)) {
      history(f);
      compact(f, 3, false);
      assertEquals(EtcdError.COMPACTED, error(() -> f.store.hashKv(2)));
      assertEquals(EtcdError.FUTURE_REV, error(() -> f.store.hashKv(6)));
      assertEquals(3, f.store.hashKv(3).compactRevision());
    }
  }

  @Test
  void compactionProgressDoesNotChangeTheHash() {
    try (StoreFixture a = new StoreFixture(dirA); StoreFixture b = new StoreFixture(dirB)) {
      history(a);
      history(b);
      KvHash before = a.store.hashKv(5);
      compact(a, 4, true); // old revisions deleted from disk
      compact(b, 4, false); // logical only: the deletion may still be running
      KvHash ha = a.store.hashKv(5);
      assertEquals(ha, b.store.hashKv(5));
      assertEquals(4, ha.compactRevision());
      assertNotEquals(before.hash(), ha.hash()); // the overwritten a=1 is no longer covered
      b.reopen(); // finishes b's deletion
      assertEquals(ha, b.store.hashKv(5));
    }
  }

  @Test
  void recordsPersistWithTheAppliedPositionAndIgnoreReplays() {
    try (StoreFixture f = new StoreFixture(dirA)) {
      long index = f.next();
      byte[] value = {1, 2, 3};
      assertEquals(true, f.store.putRecord(index, KvStore.WHOLE_ENTRY, "alarms", value));
      assertEquals(false, f.store.putRecord(index, KvStore.WHOLE_ENTRY, "alarms", new byte[] {9}));
      assertEquals(index, f.store.appliedIndex());
      f.reopen();
      assertArrayEquals(value, f.store.record("alarms"));
      assertEquals(null, f.store.record("other"));
    }
  }

  @Test
  void defragmentKeepsContent() {
    try (StoreFixture f = new StoreFixture(dirA)) {
      history(f);
      KvHash before = f.store.hashKv(0);
      f.store.defragment();
      assertEquals(before, f.store.hashKv(0));
    }
  }
}
