package io.keyway.store;

import static io.keyway.store.Reqs.*;
import static io.keyway.store.StoreFixture.error;
import static org.junit.jupiter.api.Assertions.*;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionTest {
  @TempDir Path dir;
  StoreFixture f;
  RocksKvStore s;

  @BeforeEach
  void setUp() {
    f = new StoreFixture(dir);
    s = f.store;
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private CompactionResponse compact(long rev) {
    return s.compact(f.next(), CompactionRequest.newBuilder().setRevision(rev).build());
  }

  private CompactionResponse compactPhysical(long rev) {
    return s.compact(f.next(), CompactionRequest.newBuilder().setRevision(rev).setPhysical(true).build());
  }

  @Test
  void freshStoreCompactsZeroThenOneOnce() {
    assertEquals(1, compact(0).getHeader().getRevision());
    assertEquals(EtcdError.COMPACTED, error(() -> compact(0)));
    compact(1);
    assertEquals(EtcdError.COMPACTED, error(() -> compact(1)));
    assertEquals(EtcdError.COMPACTED, error(() -> compact(0)));
    assertEquals(EtcdError.FUTURE_REV, error(() -> compact(2)));
    assertEquals(1, s.compactRevision());
  }

  @Test
  void freshStoreCompactsOneFirst() {
    compact(1);
    assertEquals(EtcdError.COMPACTED, error(() -> compact(0)));
    assertEquals(EtcdError.COMPACTED, error(() -> compact(-3)));
  }

  @Test
  void negativeRevisionOnAFreshStoreIsCompacted() {
    assertEquals(EtcdError.COMPACTED, error(() -> compact(-1)));
    assertEquals(0, s.compactRevision());
  }

  @Test
  void compactionRulesAndHeader() {
    for (int i = 0; i < 5; i++) {
      s.put(f.next(), put("a", "v" + i)); // revs 2..6
    }
    assertEquals(EtcdError.FUTURE_REV, error(() -> compact(7)));
    CompactionResponse r = compact(4);
    assertEquals(6, r.getHeader().getRevision(), "header is the current revision");
    assertEquals(6, s.revision(), "compaction does not bump the revision");
    assertEquals(EtcdError.COMPACTED, error(() -> compact(4)));
    assertEquals(EtcdError.COMPACTED, error(() -> compact(3)));
    compact(6); // the current revision is allowed
    assertEquals(6, s.compactRevision());
    assertEquals(6, s.revision());
    assertEquals(f.index, s.appliedIndex());
  }

  @Test
  void keepsLatestVersionAtOrBelowAndDropsTombstonedKeys() {
    s.put(f.next(), put("a", "1"));   // 2
    s.put(f.next(), put("a", "2"));   // 3
    s.put(f.next(), put("b", "1"));   // 4
    s.deleteRange(f.next(), del("b")); // 5
    s.put(f.next(), put("c", "1"));   // 6
    s.deleteRange(f.next(), del("c")); // 7
    s.put(f.next(), put("d", "1"));   // 8
    s.put(f.next(), put("d", "2"));   // 9
    long before = s.storedRevisions();
    compactPhysical(7);
    // a keeps @3, b disappears, c's tombstone at exactly 7 stays, d is untouched
    assertEquals(before - 3 /* a@2, b@4, b@5 */ - 1 /* c@6 */, s.storedRevisions());
    assertEquals(3, s.indexedKeys());
    KeyValue a = s.range(get("a").toBuilder().setRevision(7).build()).getKvs(0);
    assertEquals(3, a.getModRevision());
    assertEquals(2, a.getVersion());
    assertEquals(2, a.getCreateRevision());
    assertEquals(List.of("a"), keysAt(7));
    assertEquals(List.of("a", "d"), keysAt(9));
    assertEquals(EtcdError.COMPACTED, error(() -> s.range(all().toBuilder().setRevision(6).build())));

    // history from the compaction revision is still complete
    var changes = s.changes(7, 9, 100, false);
    assertEquals(List.of(7L, 8L, 9L), changes.stream().map(RevisionChanges::revision).toList());
    assertEquals(EtcdError.COMPACTED, error(() -> s.changes(6, 9, 100, false)));

    f.reopen();
    s = f.store;
    assertEquals(3, s.indexedKeys());
    assertEquals(List.of("a"), keysAt(7));
    assertEquals(7, s.compactRevision());
    assertEquals(2, s.range(get("a")).getKvs(0).getVersion());
    s.put(f.next(), put("a", "3"));
    assertEquals(3, s.range(get("a")).getKvs(0).getVersion());
    assertEquals(2, s.range(get("a")).getKvs(0).getCreateRevision());
  }

  @Test
  void backgroundCompactionFinishesAndReopenCompletesLeftovers() throws Exception {
    for (int i = 0; i < 200; i++) {
      s.put(f.next(), put("k" + (i % 10), "v" + i));
    }
    compact(150);
    // reopening right away must still end in the compacted state
    f.reopen();
    s = f.store;
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (s.storedRevisions() > 10 + (201 - 150) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    // revisions 150..201 stay (52 entries, one per revision) plus the latest of each key at or below 150
    // that is not shadowed: keys whose last write is > 150 still keep their newest version <= 150
    assertEquals(10 + 51, s.storedRevisions());
    assertEquals(10, s.range(all()).getCount());
  }

  private List<String> keysAt(long rev) {
    return s.range(all().toBuilder().setRevision(rev).build()).getKvsList().stream()
        .map(kv -> kv.getKey().toStringUtf8()).toList();
  }
}
