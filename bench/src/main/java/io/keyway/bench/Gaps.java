package io.keyway.bench;

import java.util.Arrays;

/** How long clients went without any successful request, from the completion times of the successful ones. */
final class Gaps {
  private static final long SECOND = 1_000_000_000L;

  private Gaps() {}

  /**
   * Whole seconds [i s, (i+1) s) of the window [0, windowNanos) in which no request succeeded; times are
   * relative to the window's start, and those outside it are ignored. A trailing partial second is not counted.
   */
  static int secondsWithoutSuccess(long[] successNanos, long windowNanos) {
    int seconds = (int) (windowNanos / SECOND);
    boolean[] any = new boolean[seconds];
    for (long t : successNanos) {
      if (t >= 0 && t < (long) seconds * SECOND) {
        any[(int) (t / SECOND)] = true;
      }
    }
    int none = 0;
    for (boolean b : any) {
      if (!b) {
        none++;
      }
    }
    return none;
  }

  /**
   * The longest stretch of the window without a success, in seconds: between consecutive successes, and from the
   * window's start to the first one and from the last one to its end (the whole window when none succeeded).
   */
  static double longestGapSeconds(long[] successNanos, long windowNanos) {
    long[] t = Arrays.stream(successNanos).filter(x -> x >= 0 && x <= windowNanos).sorted().toArray();
    long longest = 0;
    long previous = 0;
    for (long x : t) {
      longest = Math.max(longest, x - previous);
      previous = x;
    }
    longest = Math.max(longest, windowNanos - previous);
    return longest / 1e9;
  }
}
