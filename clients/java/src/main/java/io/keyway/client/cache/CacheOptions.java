package io.keyway.client.cache;

import java.time.Duration;

/**
 * How a {@link KeyspaceCache} lists and watches.
 *
 * @param pageSize         keys per range request when listing
 * @param requestTimeout   deadline of each range request; a member that does not answer is given up on
 * @param progressInterval how often an idle watch asks for a progress notification (keeps {@code revision()}
 *                         moving and proves the stream is alive)
 * @param stallTimeout     a watch that received nothing at all for this long (not even progress) is restarted,
 *                         which lets it land on another member (a frozen member keeps its TCP connection up)
 * @param minBackoff       first delay before restarting a failed watch or list
 * @param maxBackoff       longest such delay
 */
public record CacheOptions(int pageSize, Duration requestTimeout, Duration progressInterval, Duration stallTimeout,
                           Duration minBackoff, Duration maxBackoff) {

  public CacheOptions {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be positive: " + pageSize);
    }
    for (Duration d : new Duration[] {requestTimeout, progressInterval, stallTimeout, minBackoff, maxBackoff}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("durations must be positive");
      }
    }
  }

  public static CacheOptions defaults() {
    return new CacheOptions(1000, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30),
        Duration.ofMillis(100), Duration.ofSeconds(5));
  }

  public CacheOptions withPageSize(int n) {
    return new CacheOptions(n, requestTimeout, progressInterval, stallTimeout, minBackoff, maxBackoff);
  }

  public CacheOptions withRequestTimeout(Duration d) {
    return new CacheOptions(pageSize, d, progressInterval, stallTimeout, minBackoff, maxBackoff);
  }

  public CacheOptions withProgressInterval(Duration d) {
    return new CacheOptions(pageSize, requestTimeout, d, stallTimeout, minBackoff, maxBackoff);
  }

  public CacheOptions withStallTimeout(Duration d) {
    return new CacheOptions(pageSize, requestTimeout, progressInterval, d, minBackoff, maxBackoff);
  }

  public CacheOptions withBackoff(Duration min, Duration max) {
    return new CacheOptions(pageSize, requestTimeout, progressInterval, stallTimeout, min, max);
  }
}
