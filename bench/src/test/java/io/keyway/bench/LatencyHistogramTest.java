package io.keyway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void emptyHistogramReportsZero() {
    assertEquals(0, new LatencyHistogram().percentile(0.99));
  }

  @Test
  void smallValuesAreExact() {
    LatencyHistogram h = new LatencyHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertEquals(50, h.percentile(0.50));
    assertEquals(99, h.percentile(0.99));
    assertEquals(100, h.percentile(1.0));
  }

  @Test
  void percentilesOfAUniformMillisecondRangeAreWithinTwoPercent() {
    LatencyHistogram h = new LatencyHistogram();
    for (long ms = 1; ms <= 10_000; ms++) {
      h.record(ms * 1_000_000L);
    }
    assertEquals(10_000, h.count());
    assertWithin(5_000e6, h.percentile(0.50), 0.02);
    assertWithin(9_900e6, h.percentile(0.99), 0.02);
    assertWithin(5_000.0, h.percentileMillis(0.50), 0.02);
  }

  @Test
  void aSlowTailShowsInP99ButNotInP50() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < 980; i++) {
      h.record(2_000_000);       // 2 ms
    }
    for (int i = 0; i < 20; i++) {
      h.record(400_000_000);     // 400 ms
    }
    assertWithin(2e6, h.percentile(0.50), 0.02);
    assertWithin(400e6, h.percentile(0.99), 0.02);
  }

  @Test
  void bucketsCoverEveryNonNegativeLongContiguously() {
    long previousUpper = -1;
    for (int i = 0; i <= LatencyHistogram.indexOf(Long.MAX_VALUE); i++) {
      assertEquals(previousUpper + 1, LatencyHistogram.lowerBound(i), "bucket " + i);
      assertEquals(i, LatencyHistogram.indexOf(LatencyHistogram.lowerBound(i)));
      assertEquals(i, LatencyHistogram.indexOf(LatencyHistogram.upperBound(i)));
      previousUpper = LatencyHistogram.upperBound(i);
    }
    assertEquals(Long.MAX_VALUE, previousUpper);
  }

  @Test
  void addMergesCounts() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(1_000);
    b.record(1_000_000);
    b.record(1_000_000);
    a.add(b);
    assertEquals(3, a.count());
    assertWithin(1e6, a.percentile(0.5), 0.02);
  }

  @Test
  void negativeSamplesCountAsZero() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    assertEquals(0, h.percentile(1.0));
  }

  private static void assertWithin(double expected, double actual, double relative) {
    assertTrue(Math.abs(actual - expected) <= expected * relative,
        "expected " + expected + " ± " + (relative * 100) + "% but was " + actual);
  }
}
