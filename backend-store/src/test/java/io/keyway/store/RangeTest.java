package io.keyway.store;

import static io.keyway.store.Reqs.*;
import static io.keyway.store.StoreFixture.error;
import static org.junit.jupiter.api.Assertions.*;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RangeTest {
  @TempDir Path dir;
  StoreFixture f;
  KvStore s;

  @BeforeEach
  void setUp() {
    f = new StoreFixture(dir);
    s = f.store;
    // rev 2..7: a, b, c(x2), d, "a\0"; mod revisions differ from key order for the sort tests
    s.put(f.next(), put("c", "3"));        // 2
    s.put(f.next(), put("a", "9"));        // 3
    s.put(f.next(), put("b", "1"));        // 4
    s.put(f.next(), put("c", "2"));        // 5 (c version 2)
    s.put(f.next(), put("d", "5"));        // 6
    s.put(f.next(), put("a\0", "0"));      // 7
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static List<String> keys(RangeResponse r) {
    return r.getKvsList().stream().map(kv -> kv.getKey().toStringUtf8()).toList();
  }

  @Test
  void singleKeyAndMissingKey() {
    RangeResponse r = s.range(get("c"));
    assertEquals(1, r.getCount());
    KeyValue kv = r.getKvs(0);
    assertEquals("2", kv.getValue().toStringUtf8());
    assertEquals(2, kv.getCreateRevision());
    assertEquals(5, kv.getModRevision());
    assertEquals(2, kv.getVersion());
    assertEquals(0, kv.getLease());
    assertEquals(7, r.getHeader().getRevision());
    RangeResponse missing = s.range(get("zz"));
    assertEquals(0, missing.getCount());
    assertEquals(0, missing.getKvsCount());
    assertFalse(missing.getMore());
    assertEquals(EtcdError.KEY_NOT_PROVIDED, error(() -> s.range(RangeRequest.getDefaultInstance())));
  }

  @Test
  void rangeEndForms() {
    assertEquals(List.of("a", "a\0", "b"), keys(s.range(range("a", "c"))));
    // prefix of "a": range_end "b"
    assertEquals(List.of("a", "a\0"), keys(s.range(range("a", "b"))));
    // "\0" means every key >= key
    assertEquals(List.of("b", "c", "d"), keys(s.range(RangeRequest.newBuilder().setKey(bs("b")).setRangeEnd(ZERO).build())));
    // key "\0" + range_end "\0" means all keys
    assertEquals(List.of("a", "a\0", "b", "c", "d"), keys(s.range(all())));
    // key >= range_end is an empty result, not an error
    RangeResponse inverted = s.range(range("c", "a"));
    assertEquals(0, inverted.getCount());
    assertEquals(0, s.range(range("c", "c")).getCount());
  }

  @Test
  void limitMoreAndCountIgnoreLimit() {
    RangeResponse r = s.range(all().toBuilder().setLimit(2).build());
    assertEquals(List.of("a", "a\0"), keys(r));
    assertTrue(r.getMore());
    assertEquals(5, r.getCount());
    RangeResponse exact = s.range(all().toBuilder().setLimit(5).build());
    assertFalse(exact.getMore());
    assertEquals(5, exact.getKvsCount());
    RangeResponse negative = s.range(all().toBuilder().setLimit(-5).build());
    assertEquals(5, negative.getKvsCount());
    assertFalse(negative.getMore());
  }

  @Test
  void countIgnoresMinMaxFilters() {
    RangeResponse r = s.range(all().toBuilder().setMinModRevision(4).setMaxModRevision(6).build());
    assertEquals(List.of("b", "c", "d"), keys(r));
    assertEquals(5, r.getCount());
    RangeResponse created = s.range(all().toBuilder().setMinCreateRevision(3).setMaxCreateRevision(4).build());
    assertEquals(List.of("a", "b"), keys(created));
    assertEquals(5, created.getCount());
    // filter + limit: more reflects the filtered list
    RangeResponse limited = s.range(all().toBuilder().setMinModRevision(4).setLimit(2).build());
    assertEquals(List.of("a\0", "b"), keys(limited));
    assertTrue(limited.getMore());
    assertEquals(5, limited.getCount());
  }

  @Test
  void sortOrdersAndTargets() {
    RangeRequest base = all();
    assertEquals(List.of("d", "c", "b", "a\0", "a"),
        keys(s.range(base.toBuilder().setSortOrder(RangeRequest.SortOrder.DESCEND).build())));
    // target != KEY with order NONE sorts ascending
    assertEquals(List.of("a\0", "b", "c", "d", "a"),
        keys(s.range(base.toBuilder().setSortTarget(RangeRequest.SortTarget.VALUE).build())));
    assertEquals(List.of("a", "d", "c", "b", "a\0"), keys(s.range(base.toBuilder()
        .setSortTarget(RangeRequest.SortTarget.VALUE).setSortOrder(RangeRequest.SortOrder.DESCEND).build())));
    assertEquals(List.of("c", "a", "b", "d", "a\0"),
        keys(s.range(base.toBuilder().setSortTarget(RangeRequest.SortTarget.CREATE).build())));
    assertEquals(List.of("a", "b", "c", "d", "a\0"),
        keys(s.range(base.toBuilder().setSortTarget(RangeRequest.SortTarget.MOD).build())));
    // version ties keep key order; c has version 2
    assertEquals(List.of("a", "a\0", "b", "d", "c"),
        keys(s.range(base.toBuilder().setSortTarget(RangeRequest.SortTarget.VERSION).build())));
    assertEquals(List.of("c", "a", "a\0", "b", "d"), keys(s.range(base.toBuilder()
        .setSortTarget(RangeRequest.SortTarget.VERSION).setSortOrder(RangeRequest.SortOrder.DESCEND).build())));
    // sorting happens before the limit
    RangeResponse top = s.range(base.toBuilder().setSortOrder(RangeRequest.SortOrder.DESCEND).setLimit(1).build());
    assertEquals(List.of("d"), keys(top));
    assertTrue(top.getMore());
  }

  @Test
  void invalidSortOptionIsAnErrorNotACrash() {
    assertEquals(EtcdError.INVALID_SORT_OPTION,
        error(() -> s.range(all().toBuilder().setSortTargetValue(9).build())));
  }

  @Test
  void unknownSortOrderLeavesKeyOrderAsEtcd35Does() {
    RangeResponse r = s.range(all().toBuilder().setSortOrderValue(3)
        .setSortTarget(RangeRequest.SortTarget.VALUE).build());
    List<String> sorted = new java.util.ArrayList<>(keys(r));
    java.util.Collections.sort(sorted);
    assertEquals(sorted, keys(r));
    // an unknown target is harmless when the order does not sort
    assertEquals(keys(r), keys(s.range(all().toBuilder().setSortOrderValue(7).setSortTargetValue(9).build())));
  }

  @Test
  void keysOnlyAndCountOnly() {
    RangeResponse keysOnly = s.range(get("c").toBuilder().setKeysOnly(true).build());
    assertTrue(keysOnly.getKvs(0).getValue().isEmpty());
    assertEquals(5, keysOnly.getKvs(0).getModRevision());
    RangeResponse countOnly = s.range(all().toBuilder().setCountOnly(true).setLimit(1).build());
    assertEquals(0, countOnly.getKvsCount());
    assertEquals(5, countOnly.getCount());
    assertFalse(countOnly.getMore());
  }

  @Test
  void historicalRevisionsAndHeader() {
    RangeResponse atFour = s.range(all().toBuilder().setRevision(4).build());
    assertEquals(List.of("a", "b", "c"), keys(atFour));
    assertEquals("3", atFour.getKvs(2).getValue().toStringUtf8());
    assertEquals(1, atFour.getKvs(2).getVersion());
    assertEquals(7, atFour.getHeader().getRevision(), "header carries the current revision");
    assertEquals(0, s.range(all().toBuilder().setRevision(1).build()).getCount());
    assertEquals(5, s.range(all().toBuilder().setRevision(-1).build()).getCount());
    assertEquals(5, s.range(all().toBuilder().setRevision(7).build()).getCount());
    assertEquals(EtcdError.FUTURE_REV, error(() -> s.range(all().toBuilder().setRevision(8).build())));
  }

  @Test
  void compactedRevisions() {
    s.compact(f.next(), io.keyway.api.etcdserverpb.CompactionRequest.newBuilder().setRevision(5).build());
    assertEquals(EtcdError.COMPACTED, error(() -> s.range(all().toBuilder().setRevision(4).build())));
    RangeResponse atCompact = s.range(all().toBuilder().setRevision(5).build());
    assertEquals(List.of("a", "b", "c"), keys(atCompact));
    assertEquals(EtcdError.FUTURE_REV, error(() -> s.range(all().toBuilder().setRevision(8).build())));
    assertEquals(5, s.range(all().toBuilder().setRevision(0).build()).getCount());
  }
}
