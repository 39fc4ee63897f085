package io.keyway.store.auth;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A union of half-open key intervals {@code [begin, end)} ({@code end} null = unbounded), merged so that a
 * requested range is permitted exactly when it lies inside one merged interval (etcd's interval-tree
 * {@code Contains}: the union must cover the whole range). Immutable.
 */
final class KeyIntervals {
  private static final Comparator<ByteString> KEYS = ByteString.unsignedLexicographicalComparator();
  static final KeyIntervals NONE = new KeyIntervals(List.of());

  private record Interval(ByteString begin, ByteString end) {}

  private final List<Interval> merged;

  private KeyIntervals(List<Interval> merged) {
    this.merged = merged;
  }

  static final class Builder {
    private final List<Interval> all = new ArrayList<>();

    /** A permission: no range end = the single key, {@code "\0"} = every key from {@code key} on. */
    Builder addPermission(ByteString key, ByteString rangeEnd) {
      if (rangeEnd.isEmpty()) {
        all.add(new Interval(key, key.concat(ByteString.copyFrom(new byte[] {0}))));
      } else if (isOpenEnd(rangeEnd)) {
        all.add(new Interval(key, null));
      } else if (KEYS.compare(key, rangeEnd) < 0) {
        all.add(new Interval(key, rangeEnd));
      }
      return this;
    }

    KeyIntervals build() {
      if (all.isEmpty()) {
        return NONE;
      }
      all.sort((a, b) -> KEYS.compare(a.begin, b.begin));
      List<Interval> out = new ArrayList<>();
      Interval cur = all.get(0);
      for (int i = 1; i < all.size(); i++) {
        Interval next = all.get(i);
        // touching intervals merge too: [a, b) and [b, c) cover [a, c)
        if (cur.end == null || KEYS.compare(next.begin, cur.end) <= 0) {
          ByteString end = cur.end == null || next.end == null ? null
              : (KEYS.compare(next.end, cur.end) > 0 ? next.end : cur.end);
          cur = new Interval(cur.begin, end);
        } else {
          out.add(cur);
          cur = next;
        }
      }
      out.add(cur);
      return new KeyIntervals(List.copyOf(out));
    }
  }

  static boolean isOpenEnd(ByteString rangeEnd) {
    return rangeEnd.size() == 1 && rangeEnd.byteAt(0) == 0;
  }

  /**
   * Whether a request over {@code key} / {@code rangeEnd} (etcd's conventions: empty = the key alone, "\0" =
   * from key on) is inside the union. An empty or inverted range is never permitted (nothing covers it).
   */
  boolean permits(ByteString key, ByteString rangeEnd) {
    if (rangeEnd.isEmpty()) {
      for (Interval iv : merged) {
        if (KEYS.compare(iv.begin, key) <= 0 && (iv.end == null || KEYS.compare(key, iv.end) < 0)) {
          return true;
        }
      }
      return false;
    }
    ByteString end = isOpenEnd(rangeEnd) ? null : rangeEnd;
    if (end != null && KEYS.compare(key, end) >= 0) {
      return false;
    }
    for (Interval iv : merged) {
      if (KEYS.compare(iv.begin, key) <= 0
          && (iv.end == null || (end != null && KEYS.compare(end, iv.end) <= 0))) {
        return true;
      }
    }
    return false;
  }
}
