package io.keyway.client.cache;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential delays with jitter between attempts, so restarting caches do not hammer a recovering cluster. */
final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private int failures;

  Backoff(Duration min, Duration max) {
    this.minMillis = Math.max(1, min.toMillis());
    this.maxMillis = Math.max(minMillis, max.toMillis());
  }

  /** The delay before the next attempt; grows with each call until {@link #succeeded()}. */
  long nextDelayMillis() {
    long base = Math.min(maxMillis, minMillis << Math.min(failures, 20));
    failures++;
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  void succeeded() {
    failures = 0;
  }
}
