package io.keyway.raft.propose;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Proposal ids laid out like etcd's idutil.Generator: the low 2 bytes of the member id on top, then a counter
 * seeded with the start time in milliseconds shifted by one byte. Unique per member across restarts (unless
 * more than 256 ids per millisecond are sustained for the whole previous run) and practically unique across
 * members, which is what matching applied results to local waiters needs.
 */
public final class RequestIds {
  private static final int SUFFIX_BITS = 48;
  private static final long SUFFIX_MASK = (1L << SUFFIX_BITS) - 1;

  private final long prefix;
  private final AtomicLong suffix;

  public RequestIds(long memberId) {
    this.prefix = memberId << SUFFIX_BITS;
    this.suffix = new AtomicLong((System.currentTimeMillis() & ((1L << 40) - 1)) << 8);
  }

  public long next() {
    return prefix | (suffix.incrementAndGet() & SUFFIX_MASK);
  }
}
