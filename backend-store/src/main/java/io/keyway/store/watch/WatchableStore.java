package io.keyway.store.watch;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.mvccpb.Event;
import io.keyway.store.ChangeListener;
import io.keyway.store.KvStore;
import io.keyway.store.RevisionChanges;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's watchable store on top of a {@link KvStore}: serves watchers from the store's change feed and, for
 * watchers that start in the past or fell behind, from its history.
 *
 * <p>Watchers are <i>synced</i> (they receive each commit as it is announced) or <i>unsynced</i> (a
 * background thread replays history to them in bounded rounds until they reach the announced revision, then
 * moves them to synced). A synced watcher whose stream buffer is full becomes unsynced at the revision it
 * missed, which is how a slow consumer is bounded: it re-reads history later instead of holding events.
 * An unsynced watcher whose next revision is compacted away is canceled with the compaction revision.
 *
 * <p>No gap, no duplicate: everything here is measured against the <i>announced</i> revision, the last one
 * whose {@link KvStore#addChangeListener change notification} this store has processed (the store's own
 * revision may already be one ahead while the apply thread is between committing and notifying). A watcher
 * joins the synced group only when history was read up to the announced revision under the same lock that
 * announces revisions, and every delivery skips revisions below the watcher's next expected revision.
 *
 * <p>Threads: change notifications arrive on the apply thread; one daemon thread runs catch-up rounds and
 * {@code progress_notify} ticks. History is read without holding the lock, so commits are not held up by it.
 */
public final class WatchableStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchableStore.class);
  /** Catch-up rounds in a row before yielding the thread to progress ticks. */
  private static final int ROUNDS_PER_RUN = 64;

  private final KvStore kv;
  private final WatchOptions options;
  private final ReentrantLock mu = new ReentrantLock();
  private final WatcherGroup synced = new WatcherGroup();
  private final LinkedHashSet<Watcher> unsynced = new LinkedHashSet<>();
  /** The last revision whose change notification was processed. Written under {@link #mu}. */
  private volatile long announced;
  private volatile boolean closed;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean syncQueued = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Outbox> signals = new ConcurrentLinkedQueue<>();
  private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();

  public WatchableStore(KvStore kv, WatchOptions options) {
    this.kv = kv;
    this.options = options;
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "keyway-watch-sync");
      t.setDaemon(true);
      return t;
    });
    announced = kv.revision();
    kv.addChangeListener(new ChangeListener() {
      @Override
      public void onCommit(long revision, List<Event> events) {
        WatchableStore.this.onCommit(revision, SharedEvents.ofRevision(revision, events));
      }

      @Override
      public void onCommit(long revision, List<Event> events, Supplier<List<Event>> withPrevKv) {
        WatchableStore.this.onCommit(revision, SharedEvents.ofRevision(revision, events, withPrevKv));
      }

      @Override
      public void storeReplaced() {
        storeRestored(); // a store that swaps its content (Raft snapshot install) tells us right away
      }
    });
    // a commit between the two reads was either announced to us or is counted here; one that slipped in
    // before the listener was added shows up later as a skipped revision, which is handled
    mu.lock();
    try {
      announced = Math.max(announced, kv.revision());
    } finally {
      mu.unlock();
    }
    long period = options.resyncPeriod().toNanos();
    executor.scheduleWithFixedDelay(this::syncRun, period, period, TimeUnit.NANOSECONDS);
  }

  /**
   * A new client stream. {@code headers} builds the response header for a revision (cluster id, member id
   * and raft term are the caller's); it is called under internal locks and must be quick. {@code onReady} is
   * the readiness callback described in {@link WatchStream}.
   */
  public WatchStream newStream(LongFunction<ResponseHeader> headers, Runnable onReady) {
    if (closed) {
      throw EtcdError.STOPPED.exception();
    }
    WatchStream stream = new WatchStream(this, options, headers, onReady);
    streams.add(stream);
    long base = options.progressNotifyInterval().toNanos();
    // etcd adds up to 10 % jitter so that watchers created together do not all report at once
    long interval = base + ThreadLocalRandom.current().nextLong(Math.max(1, base / 10));
    try {
      stream.startProgressTicker(
          executor.scheduleAtFixedRate(stream::progressTick, interval, interval, TimeUnit.NANOSECONDS));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      stream.close();
      throw EtcdError.STOPPED.exception();
    }
    return stream;
  }

  /** A stream whose responses only carry the revision in their header (tests, embedded use). */
  public WatchStream newStream(Runnable onReady) {
    return newStream(rev -> ResponseHeader.newBuilder().setRevision(rev).build(), onReady);
  }

  /** The revision watchers have been told about: the header revision of created and progress responses. */
  public long revision() {
    return announced;
  }

  /**
   * Tells the watchers that the store's content was replaced (a Raft snapshot was installed): every synced
   * watcher replays the gap from the new store's history, or is canceled if it was compacted (etcd's
   * {@code Restore}). A store that reports {@link ChangeListener#storeReplaced()} triggers it by itself;
   * otherwise call it on the apply thread, right after the swap and before the next write. A later
   * commit that skips revisions is detected and handled the same way, so forgetting this only delays the
   * replay until the next write.
   */
  public void storeRestored() {
    mu.lock();
    try {
      demoteSynced();
      announced = kv.revision();
    } finally {
      mu.unlock();
    }
    requestSync();
  }

  /** Watchers across all streams (canceled-by-compaction ones excluded). */
  public int watchers() {
    mu.lock();
    try {
      return synced.size() + unsynced.size();
    } finally {
      mu.unlock();
    }
  }

  /** Watchers still catching up from history. */
  public int unsyncedWatchers() {
    mu.lock();
    try {
      return unsynced.size();
    } finally {
      mu.unlock();
    }
  }

  /** Stops catch-up and ticks and closes every stream. The KvStore is left open (it is not ours). */
  @Override
  public void close() {
    closed = true;
    for (WatchStream s : new ArrayList<>(streams)) {
      s.close();
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the live feed (apply thread) ----------------------------------------------------------------------

  private void onCommit(long revision, SharedEvents shared) {
    boolean demoted = false;
    mu.lock();
    try {
      if (closed || revision <= announced) {
        return;
      }
      if (revision != announced + 1) {
        // revisions were skipped (a snapshot was installed under us): replay them from history
        log.info("watch feed jumped from revision {} to {}; resyncing watchers", announced, revision);
        demoteSynced();
        announced = revision;
        demoted = true;
        return;
      }
      announced = revision;
      if (synced.size() == 0) {
        return;
      }
      Map<Watcher, List<Event>> batches = new LinkedHashMap<>();
      for (int i = 0; i < shared.size(); i++) {
        Event e = shared.event(i);
        int index = i;
        synced.forEachMatching(e.getKv().getKey(), w -> {
          if (revision >= w.minRev && w.wants(e)) {
            batches.computeIfAbsent(w, x -> new ArrayList<>()).add(shared.forWatcher(index, w.prevKv));
          }
        });
      }
      for (Map.Entry<Watcher, List<Event>> b : batches.entrySet()) {
        Watcher w = b.getKey();
        if (w.stream.deliver(w, revision, b.getValue())) {
          w.minRev = revision + 1;
        } else {
          // the consumer is behind: stop feeding it live, it will replay this revision from history
          synced.remove(w);
          w.minRev = revision;
          w.state = Watcher.State.UNSYNCED;
          unsynced.add(w);
        }
      }
    } finally {
      mu.unlock();
      fireSignals();
      if (demoted) {
        requestSync();
      }
    }
  }

  /** Moves every synced watcher to unsynced, expecting the revisions after the announced one. */
  private void demoteSynced() {
    for (Watcher w : synced.removeAll()) {
      w.minRev = Math.max(w.minRev, announced + 1);
      w.state = Watcher.State.UNSYNCED;
      unsynced.add(w);
    }
  }

  // ---- catch-up (sync thread) ----------------------------------------------------------------------------

  void requestSync() {
    if (!closed && syncQueued.compareAndSet(false, true)) {
      try {
        executor.execute(this::syncRun);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        syncQueued.set(false);
      }
    }
  }

  private void syncRun() {
    syncQueued.set(false);
    try {
      for (int i = 0; i < ROUNDS_PER_RUN; i++) {
        if (closed || !syncRound()) {
          return;
        }
      }
      requestSync(); // more to do: continue after pending ticks
    } catch (RuntimeException e) {
      // retried on the next period; a failing store must not kill the thread
      log.warn("watch catch-up failed; retrying", e);
    } finally {
      fireSignals();
    }
  }

  /** One bounded catch-up round. True when some watcher moved on and another round may do more. */
  private boolean syncRound() {
    List<Watcher> chosen = new ArrayList<>();
    long from = Long.MAX_VALUE;
    long to;
    boolean withPrevKv = false;
    boolean progressed = false;
    mu.lock();
    try {
      if (unsynced.isEmpty()) {
        return false;
      }
      to = announced;
      long compactRev = kv.compactRevision();
      for (Iterator<Watcher> it = unsynced.iterator(); it.hasNext() && chosen.size() < options.maxWatchersPerSync(); ) {
        Watcher w = it.next();
        if (w.minRev > to) {
          it.remove();
          w.state = Watcher.State.SYNCED;
          synced.add(w);
          progressed = true;
        } else if (w.minRev < compactRev) {
          it.remove();
          w.state = Watcher.State.COMPACTED;
          w.stream.compacted(w, compactRev);
          progressed = true;
        } else if (w.stream.hasRoom()) { // a full stream wakes us when drained
          chosen.add(w);
          from = Math.min(from, w.minRev);
          withPrevKv |= w.prevKv;
        }
      }
    } finally {
      mu.unlock();
    }
    if (chosen.isEmpty()) {
      return progressed;
    }

    List<RevisionChanges> history;
    try {
      history = kv.changes(from, to, options.catchUpEvents(), withPrevKv);
    } catch (EtcdException e) {
      if (e.error() == EtcdError.COMPACTED) {
        return true; // compacted while we read: the next round cancels the watchers concerned
      }
      throw e;
    }
    int read = 0;
    for (RevisionChanges rc : history) {
      read += rc.events().size();
    }
    // the store stops after the revision that reaches the event budget; below that it returned all of [from, to]
    long complete = read >= options.catchUpEvents() && !history.isEmpty()
        ? history.get(history.size() - 1).revision() : to;
    SharedEvents shared = SharedEvents.of(history);

    mu.lock();
    try {
      for (Watcher w : chosen) {
        if (w.state != Watcher.State.UNSYNCED || w.minRev > complete) {
          continue; // canceled meanwhile, or ahead of what this round read
        }
        List<Event> events = w.select(shared, w.minRev, complete);
        if (!events.isEmpty() && !w.stream.deliver(w, complete, events)) {
          continue; // buffer filled up meanwhile: retried once the consumer drains it
        }
        w.minRev = complete + 1;
        progressed = true;
        unsynced.remove(w);
        if (w.minRev > announced) {
          w.state = Watcher.State.SYNCED;
          synced.add(w);
        } else {
          unsynced.add(w); // to the back of the line: others get their turn
        }
      }
    } finally {
      mu.unlock();
    }
    return progressed;
  }

  // ---- called by streams ---------------------------------------------------------------------------------

  /** Adds a watcher and queues its created response, under the lock that orders it before any event. */
  void register(Watcher w) {
    boolean catchUp;
    mu.lock();
    try {
      long rev = announced;
      catchUp = w.startRev != 0 && w.startRev <= rev;
      if (catchUp) {
        w.minRev = w.startRev;
        w.state = Watcher.State.UNSYNCED;
        unsynced.add(w);
      } else {
        w.minRev = Math.max(w.startRev, rev + 1);
        w.state = Watcher.State.SYNCED;
        synced.add(w);
      }
      w.stream.created(w, rev);
    } finally {
      mu.unlock();
    }
    if (catchUp) {
      requestSync();
    }
  }

  /** Removes a watcher; once this returns nothing more is delivered to it. */
  void unregister(Watcher w) {
    mu.lock();
    try {
      switch (w.state) {
        case SYNCED -> synced.remove(w);
        case UNSYNCED -> unsynced.remove(w);
        default -> { }
      }
      w.state = Watcher.State.CANCELED;
    } finally {
      mu.unlock();
    }
  }

  /**
   * etcd's progressIfSync: when every one of {@code watchers} is synced and has reached its start revision,
   * queues one progress response with the announced revision on {@code stream}.
   */
  void progressIfSynced(Collection<Watcher> watchers, long responseId, WatchStream stream) {
    mu.lock();
    try {
      long rev = announced;
      for (Watcher w : watchers) {
        if (w.state != Watcher.State.SYNCED || rev < w.startRev) {
          return;
        }
      }
      if (!watchers.isEmpty()) {
        stream.progress(responseId, rev);
      }
    } finally {
      mu.unlock();
    }
  }

  void streamClosed(WatchStream stream) {
    streams.remove(stream);
  }

  void queueSignal(Outbox outbox) {
    signals.add(outbox);
  }

  /** Runs readiness callbacks queued by deliveries; called once the caller holds no lock of ours. */
  void fireSignals() {
    if (mu.isHeldByCurrentThread()) {
      return; // the outermost caller fires them
    }
    Outbox o;
    while ((o = signals.poll()) != null) {
      try {
        o.signal();
      } catch (RuntimeException e) {
        log.warn("watch stream readiness callback failed", e);
      }
    }
  }
}
