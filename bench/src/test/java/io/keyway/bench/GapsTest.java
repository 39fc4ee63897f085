package io.keyway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GapsTest {
  private static final long S = 1_000_000_000L;

  @Test
  void countsWholeSecondsWithoutASuccess() {
    long[] ok = {100, S / 2, 3 * S + 5, 3 * S + 7, 9 * S + S / 2};
    assertEquals(10 - 3, Gaps.secondsWithoutSuccess(ok, 10 * S));
    assertEquals(10, Gaps.secondsWithoutSuccess(new long[0], 10 * S));
    // outside the window: ignored; a trailing partial second is not a second of the window
    assertEquals(1, Gaps.secondsWithoutSuccess(new long[] {-5, S + 1, 2 * S + S / 2}, 2 * S + S / 2));
  }

  @Test
  void longestGapIncludesTheEdgesOfTheWindow() {
    assertEquals(6.0, Gaps.longestGapSeconds(new long[] {3 * S, S, 4 * S}, 10 * S), 1e-9);
    assertEquals(3.0, Gaps.longestGapSeconds(new long[] {3 * S, 5 * S, 7 * S}, 8 * S), 1e-9);
    assertEquals(10.0, Gaps.longestGapSeconds(new long[0], 10 * S), 1e-9);
    assertEquals(1.5, Gaps.longestGapSeconds(new long[] {S / 2, S, 2 * S, 3 * S + S / 2}, 4 * S), 1e-9);
  }
}
