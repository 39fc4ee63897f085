package io.keyway.gateway.watch;

import io.keyway.store.watch.WatchOptions;
import java.time.Duration;

/**
 * How a member serves watches.
 *
 * @param maxRequestBytes        etcd's {@code --max-request-bytes}: the fragment size (plus gRPC overhead) and
 *                               the largest WebSocket frame a client may send
 * @param progressNotifyInterval {@code --experimental-watch-progress-notify-interval}; zero or negative keeps
 *                               etcd's 10 minutes (as etcd does), under 100 ms is raised to 100 ms
 * @param wsPingInterval         {@code --ws-ping-interval}; zero or negative sends no pings
 * @param wsMaxWatchers          {@code --ws-max-watchers}; watchers one WebSocket may hold, 0 for no limit
 */
public record WatchSettings(int maxRequestBytes, Duration progressNotifyInterval, Duration wsPingInterval,
    int wsMaxWatchers) {

  public static final Duration DEFAULT_PROGRESS_NOTIFY_INTERVAL = Duration.ofMinutes(10);

  WatchOptions storeOptions() {
    Duration progress = progressNotifyInterval.isNegative() || progressNotifyInterval.isZero()
        ? DEFAULT_PROGRESS_NOTIFY_INTERVAL : progressNotifyInterval;
    return WatchOptions.defaults().withMaxRequestBytes(maxRequestBytes).withProgressNotifyInterval(progress);
  }

  /** The watcher limit of one WebSocket; unlimited is the largest int. */
  int webSocketWatcherLimit() {
    return wsMaxWatchers <= 0 ? Integer.MAX_VALUE : wsMaxWatchers;
  }

  boolean pings() {
    return !wsPingInterval.isNegative() && !wsPingInterval.isZero();
  }
}
