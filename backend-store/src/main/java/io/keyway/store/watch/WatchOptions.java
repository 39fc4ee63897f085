package io.keyway.store.watch;

import java.time.Duration;

/**
 * Limits and pacing of a {@link WatchableStore} and its streams.
 *
 * @param maxWatchersPerStream   watchers one stream may hold; a create beyond it is refused with etcd's
 *                               "too many requests" (etcd itself has no such limit)
 * @param bufferResponses        responses a stream buffers for a consumer that does not keep up (etcd's
 *                               {@code chanBufLen}, 128); once reached, the stream's watchers stop taking
 *                               live events and later catch up from history
 * @param bufferBytes            the same bound in serialized bytes; a single response larger than this is
 *                               still accepted into an otherwise empty buffer (a revision is never split)
 * @param fragmentBytes          size above which a response to a watcher that asked for {@code fragment} is
 *                               split; etcd uses {@code --max-request-bytes} plus 512 KiB of gRPC overhead
 * @param progressNotifyInterval period of {@code progress_notify} responses (plus up to 10 % jitter); etcd's
 *                               {@code --experimental-watch-progress-notify-interval}, at least 100 ms
 * @param catchUpEvents          events read from history per catch-up round; bounds the memory and lock
 *                               time of one round
 * @param maxWatchersPerSync     unsynced watchers served by one catch-up round (etcd's maxWatchersPerSync)
 * @param resyncPeriod           how often catch-up is retried when nothing woke it (etcd's 100 ms)
 */
public record WatchOptions(int maxWatchersPerStream, int bufferResponses, long bufferBytes, int fragmentBytes,
    Duration progressNotifyInterval, int catchUpEvents, int maxWatchersPerSync, Duration resyncPeriod) {

  /** etcd's default {@code --max-request-bytes} (1.5 MiB) plus its gRPC overhead allowance (512 KiB). */
  public static final int DEFAULT_FRAGMENT_BYTES = 1536 * 1024 + 512 * 1024;
  public static final Duration MIN_PROGRESS_INTERVAL = Duration.ofMillis(100);

  public WatchOptions {
    if (maxWatchersPerStream < 1 || bufferResponses < 1 || bufferBytes < 1 || fragmentBytes < 1
        || catchUpEvents < 1 || maxWatchersPerSync < 1 || resyncPeriod.isNegative() || resyncPeriod.isZero()) {
      throw new IllegalArgumentException("invalid watch options");
    }
    if (progressNotifyInterval.compareTo(MIN_PROGRESS_INTERVAL) < 0) {
      // etcd raises a too-small interval to its minimum rather than failing
      progressNotifyInterval = MIN_PROGRESS_INTERVAL;
    }
  }

  public static WatchOptions defaults() {
    return new WatchOptions(100_000, 128, 16L << 20, DEFAULT_FRAGMENT_BYTES, Duration.ofMinutes(10), 1000, 512,
        Duration.ofMillis(100));
  }

  /** Fragment size for a server started with {@code --max-request-bytes=maxRequestBytes}. */
  public WatchOptions withMaxRequestBytes(int maxRequestBytes) {
    return withFragmentBytes(maxRequestBytes + 512 * 1024);
  }

  public WatchOptions withMaxWatchersPerStream(int n) {
    return new WatchOptions(n, bufferResponses, bufferBytes, fragmentBytes, progressNotifyInterval, catchUpEvents,
        maxWatchersPerSync, resyncPeriod);
  }

  public WatchOptions withBuffer(int responses, long bytes) {
    return new WatchOptions(maxWatchersPerStream, responses, bytes, fragmentBytes, progressNotifyInterval,
        catchUpEvents, maxWatchersPerSync, resyncPeriod);
  }

  public WatchOptions withFragmentBytes(int n) {
    return new WatchOptions(maxWatchersPerStream, bufferResponses, bufferBytes, n, progressNotifyInterval,
        catchUpEvents, maxWatchersPerSync, resyncPeriod);
  }

  public WatchOptions withProgressNotifyInterval(Duration d) {
    return new WatchOptions(maxWatchersPerStream, bufferResponses, bufferBytes, fragmentBytes, d, catchUpEvents,
        maxWatchersPerSync, resyncPeriod);
  }

  public WatchOptions withCatchUp(int events, int watchersPerSync) {
    return new WatchOptions(maxWatchersPerStream, bufferResponses, bufferBytes, fragmentBytes,
        progressNotifyInterval, events, watchersPerSync, resyncPeriod);
  }
}
