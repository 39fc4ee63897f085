package io.keyway.client.cache;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link KeyspaceState} in sync with the server: list, watch from the listed revision + 1, and on
 * trouble either resume the watch after the last applied revision (errors, stalls) or list again (compaction,
 * a gap). Everything runs on the cache's single thread, which also calls the listeners, so changes are applied
 * and delivered strictly in order; jetcd's threads only hand responses over.
 */
final class CacheSync implements WatchFeed.Sink {
  private static final Logger LOG = LoggerFactory.getLogger(CacheSync.class);
  /** Errors of the first list that retrying cannot fix: the caller hears of them instead of waiting forever. */
  private static final Set<ErrorCode> PERMANENT = Set.of(ErrorCode.PERMISSION_DENIED, ErrorCode.UNAUTHENTICATED,
      ErrorCode.INVALID_ARGUMENT, ErrorCode.UNIMPLEMENTED);

  private final KV kv;
  private final Watch watch;
  private final KeyRange range;
  private final CacheOptions options;
  private final KeyspaceState state;
  private final ListenerSet listeners;
  private final RevisionWaiters waiters;
  private final ScheduledThreadPoolExecutor loop;
  private final Backoff backoff;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final String name;
  private volatile boolean closed;

  // confined to the loop thread
  private WatchFeed feed;
  private boolean listing;
  private long lastMessageNanos;
  private ScheduledFuture<?> ticker;

  CacheSync(KV kv, Watch watch, KeyRange range, CacheOptions options, KeyspaceState state, ListenerSet listeners,
            RevisionWaiters waiters, String name) {
    this.kv = kv;
    this.watch = watch;
    this.range = range;
    this.options = options;
    this.state = state;
    this.listeners = listeners;
    this.waiters = waiters;
    this.name = name;
    this.backoff = new Backoff(options.minBackoff(), options.maxBackoff());
    this.loop = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "keyway-cache-" + name);
      t.setDaemon(true);
      return t;
    });
    loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Lists, starts watching; the future completes once the first snapshot is in. */
  CompletableFuture<Void> start() {
    run(this::list);
    long tick = options.progressInterval().toMillis();
    ticker = loop.scheduleWithFixedDelay(() -> guarded(this::tick), tick, tick, TimeUnit.MILLISECONDS);
    return ready;
  }

  /** Runs {@code task} on the cache thread (dropped once closed). */
  void run(Runnable task) {
    try {
      loop.execute(() -> guarded(task));
    } catch (RejectedExecutionException closedMeanwhile) {
      // the cache is closed: nothing left to do
    }
  }

  private void later(Runnable task, long delayMillis) {
    try {
      loop.schedule(() -> guarded(task), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closedMeanwhile) {
      // the cache is closed
    }
  }

  private void guarded(Runnable task) {
    if (closed) {
      return;
    }
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.error("cache {}: unexpected failure; listing again", name, e);
      relist();
    }
  }

  // ---- list ------------------------------------------------------------------------------------------------

  private void list() {
    listing = true;
    new SnapshotLoader(kv, range, options.pageSize(), options.requestTimeout()).load()
        .whenComplete((snapshot, error) -> run(() -> listed(snapshot, error)));
  }

  private void listed(Snapshot snapshot, Throwable error) {
    if (error == null && snapshot.revision() < state.appliedRevision()) {
      error = new IllegalStateException("listed at " + snapshot.revision() + ", behind the cache's "
          + state.appliedRevision());
    }
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (!ready.isDone() && cause instanceof EtcdException etcd && PERMANENT.contains(etcd.getErrorCode())) {
        ready.completeExceptionally(cause);
        close();
        return;
      }
      long delay = backoff.nextDelayMillis();
      LOG.info("cache {}: listing failed ({}); retrying in {} ms", name, cause.toString(), delay);
      later(this::list, delay);
      return;
    }
    listing = false;
    boolean first = !ready.isDone();
    List<Change> changes = state.reset(snapshot.entries(), snapshot.revision());
    listeners.deliver(changes);
    if (!first) {
      listeners.reset(snapshot.revision());
    }
    waiters.reached(state.revision());
    watchFrom(state.appliedRevision() + 1);
    ready.complete(null);
  }

  private void relist() {
    if (feed != null) {
      feed.close();
      feed = null;
    }
    if (!listing) {
      list();
    }
  }

  // ---- watch -----------------------------------------------------------------------------------------------

  private void watchFrom(long revision) {
    lastMessageNanos = System.nanoTime();
    feed = WatchFeed.start(watch, range, revision, this);
  }

  @Override
  public void events(WatchFeed from, List<WatchedEvent> events) {
    run(() -> {
      if (from != feed) {
        return;
      }
      heard();
      KeyspaceState.Applied applied = state.apply(events);
      listeners.deliver(applied.changes());
      waiters.reached(state.revision());
      if (applied.gap()) {
        LOG.warn("cache {}: an event contradicts the cache (a change was missed); listing again", name);
        relist();
      }
    });
  }

  @Override
  public void progress(WatchFeed from, long revision) {
    run(() -> {
      if (from != feed) {
        return;
      }
      heard();
      if (state.progress(revision)) {
        waiters.reached(state.revision());
      }
    });
  }

  @Override
  public void compacted(WatchFeed from, long compactRevision) {
    run(() -> {
      if (from != feed) {
        return;
      }
      LOG.info("cache {}: history from {} is compacted (at {}); listing again", name, from.fromRevision(),
          compactRevision);
      feed = null;
      relist();
    });
  }

  @Override
  public void failed(WatchFeed from, Throwable cause) {
    run(() -> {
      if (from != feed) {
        return;
      }
      feed = null;
      long delay = backoff.nextDelayMillis();
      LOG.info("cache {}: watch failed ({}); resuming after revision {} in {} ms", name, cause.toString(),
          state.appliedRevision(), delay);
      later(this::resume, delay);
    });
  }

  private void resume() {
    if (feed == null && !listing) {
      watchFrom(state.appliedRevision() + 1);
    }
  }

  private void heard() {
    lastMessageNanos = System.nanoTime();
    backoff.succeeded();
  }

  /** Keeps an idle watch proving it is alive (progress requests) and restarts one that went silent. */
  private void tick() {
    if (feed == null) {
      return;
    }
    long silentNanos = System.nanoTime() - lastMessageNanos;
    if (silentNanos >= options.stallTimeout().toNanos()) {
      LOG.info("cache {}: watch silent for {} ms; resuming after revision {}", name,
          TimeUnit.NANOSECONDS.toMillis(silentNanos), state.appliedRevision());
      feed.close();
      feed = null;
      resume();
    } else if (silentNanos >= options.progressInterval().toNanos() || !waiters.isEmpty()) {
      feed.requestProgress();
    }
  }

  /** Asks for progress now: someone waits for a revision the prefix may never produce an event for. */
  void nudge() {
    run(() -> {
      if (feed != null) {
        feed.requestProgress();
      }
    });
  }

  void close() {
    closed = true;
    try {
      loop.execute(() -> {
        if (ticker != null) {
          ticker.cancel(false);
        }
        if (feed != null) {
          feed.close();
          feed = null;
        }
      });
    } catch (RejectedExecutionException alreadyClosed) {
      return;
    }
    loop.shutdown();
    waiters.close();
    ready.completeExceptionally(new CancellationException("the cache was closed before it loaded"));
  }
}
