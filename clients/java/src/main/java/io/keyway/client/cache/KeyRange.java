package io.keyway.client.cache;

import io.etcd.jetcd.ByteSequence;
import java.util.Arrays;

/** The keys a cache holds: etcd's {@code [key, range_end)} of a prefix; the empty prefix means every key. */
final class KeyRange {
  /** etcd's range_end for "no upper bound" (and, as a key, the smallest key there is). */
  private static final byte[] ZERO = {0};

  private final ByteSequence start;
  private final ByteSequence end;

  private KeyRange(ByteSequence start, ByteSequence end) {
    this.start = start;
    this.end = end;
  }

  static KeyRange prefix(ByteSequence prefix) {
    if (prefix.isEmpty()) {
      return new KeyRange(ByteSequence.from(ZERO), ByteSequence.from(ZERO));
    }
    return new KeyRange(prefix, ByteSequence.from(prefixEnd(prefix.getBytes())));
  }

  /** The first key after every key starting with {@code prefix}, or {0} when there is none (all 0xff). */
  static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return ZERO.clone();
  }

  ByteSequence start() {
    return start;
  }

  ByteSequence end() {
    return end;
  }

  /** The smallest key after {@code key}: where the next page of a paged range starts. */
  static ByteSequence successor(ByteSequence key) {
    return key.concat(ByteSequence.from(ZERO));
  }
}
