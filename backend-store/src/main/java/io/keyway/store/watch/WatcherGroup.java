package io.keyway.store.watch;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The synced watchers, indexed so a committed key finds its watchers: single-key watchers by key, range
 * watchers in a list that is scanned (etcd keeps them in an interval tree; a scan is enough until streams
 * hold many thousands of range watchers).
 */
final class WatcherGroup {
  private final Map<ByteString, Set<Watcher>> byKey = new HashMap<>();
  private final Set<Watcher> ranges = new LinkedHashSet<>();
  private int size;

  void add(Watcher w) {
    boolean added = switch (w.range.kind()) {
      case SINGLE -> byKey.computeIfAbsent(w.range.key(), k -> new LinkedHashSet<>()).add(w);
      case FROM, BOUNDED -> ranges.add(w);
    };
    if (!added) {
      throw new IllegalStateException("watcher added twice: " + w);
    }
    size++;
  }

  boolean remove(Watcher w) {
    boolean removed;
    switch (w.range.kind()) {
      case SINGLE -> {
        Set<Watcher> set = byKey.get(w.range.key());
        removed = set != null && set.remove(w);
        if (removed && set.isEmpty()) {
          byKey.remove(w.range.key());
        }
      }
      default -> removed = ranges.remove(w);
    }
    if (removed) {
      size--;
    }
    return removed;
  }

  int size() { return size; }

  void forEachMatching(ByteString key, Consumer<Watcher> action) {
    Set<Watcher> single = byKey.get(key);
    if (single != null) {
      single.forEach(action);
    }
    for (Watcher w : ranges) {
      if (w.range.contains(key)) {
        action.accept(w);
      }
    }
  }

  /** Removes and returns every watcher. */
  List<Watcher> removeAll() {
    List<Watcher> all = new ArrayList<>(size);
    byKey.values().forEach(all::addAll);
    all.addAll(ranges);
    byKey.clear();
    ranges.clear();
    size = 0;
    return all;
  }
}
