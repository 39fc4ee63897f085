package io.keyway.client.cache;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One jetcd watch of the cache's range from a given revision, with prev_kv and progress notifications. It ends
 * at its first error: the cache, not jetcd, decides where to resume, because only the cache knows the last
 * revision it applied (jetcd's own retry resumes from the header revision of its "created" response, which can
 * skip events still on their way).
 */
final class WatchFeed implements AutoCloseable {

  /** Where a feed reports, from jetcd's threads; every call names the feed so stale feeds can be ignored. */
  interface Sink {
    void events(WatchFeed feed, List<WatchedEvent> events);

    void progress(WatchFeed feed, long revision);

    void compacted(WatchFeed feed, long compactRevision);

    void failed(WatchFeed feed, Throwable cause);
  }

  private final AtomicReference<Watch.Watcher> watcher = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long fromRevision;

  private WatchFeed(long fromRevision) {
    this.fromRevision = fromRevision;
  }

  static WatchFeed start(Watch watch, KeyRange range, long fromRevision, Sink sink) {
    WatchFeed feed = new WatchFeed(fromRevision);
    WatchOption option = WatchOption.builder()
        .withRange(range.end())
        .withRevision(fromRevision)
        .withPrevKV(true)
        .withProgressNotify(true)
        .build();
    Watch.Watcher w = watch.watch(range.start(), option, feed.listener(sink));
    feed.watcher.set(w);
    if (feed.closed.get()) {
      w.close(); // ended (error) before jetcd handed the watcher out
    }
    return feed;
  }

  private Watch.Listener listener(Sink sink) {
    return new Watch.Listener() {
      @Override
      public void onNext(WatchResponse response) {
        if (closed.get()) {
          return;
        }
        if (response.isProgressNotify()) {
          sink.progress(WatchFeed.this, response.getHeader().getRevision());
          return;
        }
        List<WatchEvent> raw = response.getEvents();
        if (raw.isEmpty()) {
          return;
        }
        List<WatchedEvent> events = new ArrayList<>(raw.size());
        for (WatchEvent e : raw) {
          if (e.getEventType() != WatchEvent.EventType.UNRECOGNIZED) {
            events.add(WatchedEvent.of(e));
          }
        }
        sink.events(WatchFeed.this, events);
      }

      @Override
      public void onError(Throwable error) {
        if (!end()) {
          return;
        }
        if (error instanceof CompactedException compacted) {
          sink.compacted(WatchFeed.this, compacted.getCompactedRevision());
        } else {
          sink.failed(WatchFeed.this, error);
        }
      }

      @Override
      public void onCompleted() {
        // jetcd completes a watch when the server ends the stream or when we close it
        if (end()) {
          sink.failed(WatchFeed.this, new IllegalStateException("the server ended the watch stream"));
        }
      }
    };
  }

  /** Ends the feed once: closes the jetcd watcher so that jetcd does not resume it on its own. */
  private boolean end() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    Watch.Watcher w = watcher.get();
    if (w != null) {
      w.close();
    }
    return true;
  }

  /** Asks the server for a progress notification (answered once the watch has caught up). */
  void requestProgress() {
    Watch.Watcher w = watcher.get();
    if (w != null && !closed.get()) {
      w.requestProgress();
    }
  }

  long fromRevision() {
    return fromRevision;
  }

  @Override
  public void close() {
    end();
  }
}
