package io.keyway.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in nanoseconds, kept as counts in log-linear buckets (64 per power of two, under 1.6 % error), so
 * millions of samples from many threads cost a fixed 30 KB and one atomic increment each.
 */
final class LatencyHistogram {
  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;            // 64 buckets per octave
  private static final int LINEAR = SUB * 2;                // values below 128 ns are exact
  private static final int BUCKETS = LINEAR + (63 - SUB_BITS - 1) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  void record(long nanos) {
    counts.incrementAndGet(indexOf(Math.max(0, nanos)));
  }

  /** Adds another histogram's counts to this one. */
  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      long c = other.counts.get(i);
      if (c != 0) {
        counts.addAndGet(i, c);
      }
    }
  }

  long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /**
   * The value at quantile {@code q} (0 &lt; q ≤ 1): the midpoint of the bucket holding the ⌈q·n⌉-th smallest
   * sample, or 0 when empty.
   */
  long percentile(double q) {
    long n = count();
    if (n == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return (lowerBound(i) + upperBound(i)) / 2;
      }
    }
    return upperBound(BUCKETS - 1);
  }

  double percentileMillis(double q) {
    return percentile(q) / 1e6;
  }

  static int indexOf(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v);           // ≥ 7
    int shift = msb - SUB_BITS;
    int sub = (int) (v >>> shift);                          // in [64, 128)
    return LINEAR + (msb - SUB_BITS - 1) * SUB + (sub - SUB);
  }

  static long lowerBound(int index) {
    if (index < LINEAR) {
      return index;
    }
    int octave = (index - LINEAR) / SUB;
    int sub = (index - LINEAR) % SUB + SUB;
    int shift = octave + 1;
    return (long) sub << shift;
  }

  static long upperBound(int index) {
    if (index < LINEAR) {
      return index;
    }
    int octave = (index - LINEAR) / SUB;
    int sub = (index - LINEAR) % SUB + SUB;
    int shift = octave + 1;
    return (((long) sub + 1) << shift) - 1;
  }
}
