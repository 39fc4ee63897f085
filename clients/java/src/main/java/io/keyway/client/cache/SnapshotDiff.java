package io.keyway.client.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The changes that turn the cache's old contents into a fresh snapshot: vanished keys as deletes at the
 * snapshot's revision, then new or changed keys as puts, each in key order. Unchanged keys (same mod revision:
 * it identifies a key's version) produce nothing, so a re-list reports only what really changed.
 */
final class SnapshotDiff {

  private SnapshotDiff() {}

  static List<Change> between(NavigableMap<byte[], CacheEntry> old, List<CacheEntry> snapshot, long revision) {
    NavigableMap<byte[], CacheEntry> fresh = new TreeMap<>(Arrays::compareUnsigned);
    for (CacheEntry e : snapshot) {
      fresh.put(e.key().getBytes(), e);
    }
    List<Change> changes = new ArrayList<>();
    for (var gone : old.entrySet()) {
      if (!fresh.containsKey(gone.getKey())) {
        changes.add(new Change.Delete(gone.getValue(), revision));
      }
    }
    for (var now : fresh.entrySet()) {
      CacheEntry before = old.get(now.getKey());
      if (before == null || before.modRevision() != now.getValue().modRevision()) {
        changes.add(new Change.Put(now.getValue(), before));
      }
    }
    return changes;
  }
}
