package io.keyway.client.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KeyspaceStateTest {

  private static CacheEntry entry(String key, String value, long create, long mod, long version) {
    return new CacheEntry(Values.utf8(key), Values.utf8(value), create, mod, version, 0);
  }

  private static WatchedEvent put(String key, String value, long create, long mod, long version, long prevMod) {
    return WatchedEvent.put(entry(key, value, create, mod, version), prevMod);
  }

  private static WatchedEvent delete(String key, long mod, long prevMod) {
    return WatchedEvent.delete(new CacheEntry(Values.utf8(key), ByteSequence.EMPTY, 0, mod, 0, 0), prevMod);
  }

  private static KeyspaceState loaded(long revision, CacheEntry... entries) {
    KeyspaceState state = new KeyspaceState();
    state.reset(List.of(entries), revision);
    return state;
  }

  @Test
  void firstSnapshotIsDeliveredAsPutsAndSetsBothRevisions() {
    KeyspaceState state = new KeyspaceState();
    List<Change> changes = state.reset(List.of(entry("a", "1", 2, 2, 1), entry("b", "2", 3, 3, 1)), 7);
    assertEquals(List.of(new Change.Put(entry("a", "1", 2, 2, 1), null),
        new Change.Put(entry("b", "2", 3, 3, 1), null)), changes);
    assertEquals(7, state.revision());
    assertEquals(7, state.appliedRevision());
    assertEquals(2, state.size());
  }

  @Test
  void putsAndDeletesReportWhatTheCacheHeldBefore() {
    CacheEntry a2 = entry("a", "1", 2, 2, 1);
    KeyspaceState state = loaded(5, a2);
    KeyspaceState.Applied applied = state.apply(List.of(put("a", "x", 2, 6, 2, 2), put("c", "y", 7, 7, 1, 0),
        delete("a", 8, 6)));
    assertFalse(applied.gap());
    CacheEntry a6 = entry("a", "x", 2, 6, 2);
    assertEquals(List.of(new Change.Put(a6, a2), new Change.Put(entry("c", "y", 7, 7, 1), null),
        new Change.Delete(a6, 8)), applied.changes());
    assertNull(state.get(Values.utf8("a")));
    assertEquals("y", state.get(Values.utf8("c")).valueString());
    assertEquals(8, state.revision());
    assertEquals(8, state.appliedRevision());
  }

  @Test
  void eventsAtOrBelowTheAppliedRevisionAreDuplicatesAndSkipped() {
    KeyspaceState state = loaded(10, entry("a", "1", 9, 9, 1));
    // a resumed watch repeats revision 10 (already in the snapshot) and earlier history
    KeyspaceState.Applied applied = state.apply(List.of(put("a", "old", 9, 9, 1, 0), put("b", "old", 10, 10, 1, 0),
        put("b", "new", 10, 11, 2, 10)));
    assertEquals(1, applied.changes().size());
    assertEquals(11, state.appliedRevision());
    // the same response delivered twice changes nothing the second time
    assertTrue(state.apply(List.of(put("b", "new", 10, 11, 2, 10))).changes().isEmpty());
  }

  @Test
  void eventsOfOneRevisionAreAppliedTogether() {
    KeyspaceState state = loaded(4);
    KeyspaceState.Applied applied = state.apply(List.of(put("a", "1", 5, 5, 1, 0), put("b", "2", 5, 5, 1, 0),
        put("c", "3", 5, 5, 1, 0)));
    assertEquals(3, applied.changes().size());
    assertEquals(3, state.size());
  }

  @Test
  void progressMovesTheRevisionButNotTheDuplicateFilter() {
    KeyspaceState state = loaded(4);
    assertTrue(state.progress(9));
    assertFalse(state.progress(8));
    assertEquals(9, state.revision());
    assertEquals(4, state.appliedRevision());
    // an event older than the progress notification (a server that announced progress too early) still counts
    KeyspaceState.Applied applied = state.apply(List.of(put("a", "1", 7, 7, 1, 0)));
    assertEquals(1, applied.changes().size());
    assertEquals(9, state.revision());
    assertEquals(7, state.appliedRevision());
  }

  @Test
  void eventsThatContradictTheCacheAreReportedAsAGap() {
    assertTrue(loaded(4).apply(List.of(delete("missing", 5, 3))).gap(), "delete of a key the cache lacks");
    assertTrue(loaded(4, entry("a", "1", 2, 2, 1)).apply(List.of(put("a", "2", 5, 5, 1, 0))).gap(),
        "create of a key the cache holds");
    assertTrue(loaded(4, entry("a", "1", 2, 2, 1)).apply(List.of(put("a", "2", 2, 5, 3, 3))).gap(),
        "prev_kv newer than the cache's version");
    assertFalse(loaded(4, entry("a", "1", 2, 2, 1)).apply(List.of(put("a", "2", 2, 5, 2, 0))).gap(),
        "no prev_kv (compacted): nothing to compare");
  }

  @Test
  void aDeleteOfAnAbsentKeyDeliversNothing() {
    KeyspaceState state = loaded(4);
    KeyspaceState.Applied applied = state.apply(List.of(delete("x", 5, 0)));
    assertTrue(applied.changes().isEmpty());
    assertEquals(5, state.appliedRevision());
  }

  @Test
  void aResetDeliversOnlyTheDifference() {
    CacheEntry keep = entry("keep", "k", 2, 2, 1);
    CacheEntry change = entry("change", "old", 3, 3, 1);
    CacheEntry gone = entry("gone", "g", 4, 4, 1);
    KeyspaceState state = loaded(4, keep, change, gone);
    CacheEntry changed = entry("change", "new", 3, 8, 2);
    CacheEntry added = entry("added", "a", 9, 9, 1);
    List<Change> diff = state.reset(List.of(added, changed, keep), 12);
    assertEquals(List.of(new Change.Delete(gone, 12), new Change.Put(added, null), new Change.Put(changed, change)),
        diff);
    assertEquals(List.of(added, changed, keep), state.entries());
    assertEquals(12, state.appliedRevision());
  }

  @Test
  void keysSortAsUnsignedBytesAndRangesAreHalfOpen() {
    KeyspaceState state = loaded(9, entry("\u00ff", "hi", 1, 1, 1), entry("b", "", 2, 2, 1), entry("a", "", 3, 3, 1),
        entry("a/1", "", 4, 4, 1));
    assertEquals(List.of("a", "a/1", "b", "\u00ff"), state.entries().stream().map(CacheEntry::keyString).toList());
    assertEquals(List.of("a/1", "b"), state.range(Values.utf8("a/"), Values.utf8("c")).stream()
        .map(CacheEntry::keyString).toList());
    assertEquals(List.of("a", "a/1"), state.range(null, Values.utf8("b")).stream().map(CacheEntry::keyString).toList());
  }

  /**
   * Random histories: the listener's calls replayed onto a map rebuild the state, whatever mix of events,
   * duplicate deliveries and re-lists happened.
   */
  @Test
  void replayingTheChangesRebuildsTheState() {
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      Map<String, CacheEntry> server = new TreeMap<>();
      List<WatchedEvent> history = new ArrayList<>();
      long rev = 1;
      KeyspaceState state = loaded(rev);
      Map<String, CacheEntry> replayed = new TreeMap<>();
      int delivered = 0;
      for (int step = 0; step < 200; step++) {
        rev++;
        String key = "k" + random.nextInt(12);
        CacheEntry before = server.get(key);
        if (random.nextInt(3) == 0) {
          if (before != null) {
            server.remove(key);
            history.add(delete(key, rev, before.modRevision()));
          }
        } else {
          CacheEntry now = entry(key, "v" + step, before == null ? rev : before.createRevision(), rev,
              before == null ? 1 : before.version() + 1);
          server.put(key, now);
          history.add(WatchedEvent.put(now, before == null ? 0 : before.modRevision()));
        }
        int dice = random.nextInt(10);
        List<Change> changes;
        if (dice == 0) {
          changes = state.reset(List.copyOf(server.values()), rev);
          delivered = history.size();
        } else if (dice < 4) {
          // deliver the undelivered events plus a few repeated ones, as a resumed watch may
          int from = Math.max(0, delivered - random.nextInt(3));
          KeyspaceState.Applied applied = state.apply(history.subList(from, history.size()));
          assertFalse(applied.gap(), "round " + round + " step " + step);
          changes = applied.changes();
          delivered = history.size();
        } else {
          continue;
        }
        for (Change c : changes) {
          if (c instanceof Change.Put p) {
            assertEquals(replayed.get(p.entry().keyString()), p.previous());
            replayed.put(p.entry().keyString(), p.entry());
          } else if (c instanceof Change.Delete d) {
            assertEquals(replayed.remove(d.previous().keyString()), d.previous());
          }
        }
        assertEquals(List.copyOf(replayed.values()), state.entries());
      }
    }
  }
}
