package io.keyway.store.index;

import com.google.protobuf.ByteString;
import io.keyway.store.mvcc.KeyRange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * In-memory index of every key's history, ordered by key as unsigned bytes (etcd's treeIndex). It maps
 * (key, revision) to the storage revision of the visible version; values live on disk.
 *
 * <p>Not thread-safe: the store reads it under its read lock and changes it under its write lock.
 */
public final class TreeIndex {
  private final NavigableMap<ByteString, KeyIndex> keys =
      new TreeMap<>(ByteString.unsignedLexicographicalComparator());

  public KeyIndex get(ByteString key) {
    return keys.get(key);
  }

  public KeyIndex getOrCreate(ByteString key) {
    return keys.computeIfAbsent(key, KeyIndex::new);
  }

  /** Removes the key's entry if it has no history left (after compaction or an undone write). */
  public void removeIfEmpty(KeyIndex ki) {
    if (ki.isEmpty() && keys.get(ki.key()) == ki) {
      keys.remove(ki.key());
    }
  }

  /** Key indexes of {@code range} in ascending key order, whether or not the keys are live. */
  public Collection<KeyIndex> in(KeyRange range) {
    switch (range.kind()) {
      case SINGLE: {
        KeyIndex ki = keys.get(range.key());
        return ki == null ? List.of() : List.of(ki);
      }
      case FROM:
        return keys.tailMap(range.key(), true).values();
      default:
        if (KeyRange.compare(range.key(), range.end()) >= 0) {
          return List.of();
        }
        return keys.subMap(range.key(), true, range.end(), false).values();
    }
  }

  /** All key indexes, ascending. */
  public Collection<KeyIndex> all() {
    return Collections.unmodifiableCollection(keys.values());
  }

  /**
   * Applies a compaction at {@code atRev} to every key, drops keys left without history and returns the
   * storage keys of all dropped revisions (unordered).
   */
  public List<byte[]> compact(long atRev) {
    List<byte[]> removed = new ArrayList<>();
    Iterator<KeyIndex> it = keys.values().iterator();
    while (it.hasNext()) {
      KeyIndex ki = it.next();
      ki.compact(atRev, removed);
      if (ki.isEmpty()) {
        it.remove();
      }
    }
    return removed;
  }

  public int size() {
    return keys.size();
  }
}
