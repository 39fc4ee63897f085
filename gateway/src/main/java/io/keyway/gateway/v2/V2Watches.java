package io.keyway.gateway.v2;

import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.store.watch.WatchStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's v2 watcher hub (etcd's watcherHub): one v3 watch over everything v2 writes feeds one translation
 * per revision, and each event goes to the parked watchers of its path and of the directories above it, found by
 * path in a map. A parked long-poll costs a map entry and its HTTP response, not a thread or a v3 watcher, so
 * thousands are answered within one pass over the event. Watchers asking for an index the feed has already passed
 * get a {@link HistoryWatch} instead.
 */
public final class V2Watches implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(V2Watches.class);

  private final WatchHub hub;
  private final LongSupplier compactRevision;
  private final ExecutorService executor;
  private final Map<String, Set<V2Watcher>> byPath = new HashMap<>();
  private WatchStream feed;
  /** The last revision the feed dispatched (everything after it is still to come through the feed). */
  private long seen;
  private int parked;
  private boolean closed;

  private final java.util.function.Consumer<String> onDirExpired;
  private final java.util.concurrent.atomic.LongAdder expired = new java.util.concurrent.atomic.LongAdder();

  private V2Watches(WatchHub hub, LongSupplier compactRevision, java.util.function.Consumer<String> onDirExpired) {
    this.hub = hub;
    this.compactRevision = compactRevision;
    this.onDirExpired = onDirExpired;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "keyway-v2-watch");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts the feed from the revision after {@code currentRevision}.
   *
   * @param kv removes what an expired directory leaves (on the leader)
   */
  public static V2Watches start(WatchHub hub, long currentRevision, LongSupplier compactRevision,
      io.keyway.raft.EtcdKv kv, io.keyway.raft.MemberView view) {
    V2Watches w = new V2Watches(hub, compactRevision, new ExpiredDirReaper(kv, view));
    w.openFeed(currentRevision);
    return w;
  }

  private synchronized void openFeed(long from) {
    seen = from;
    feed = hub.newStream(() -> executor.execute(this::drain));
    feed.create(WatchCreateRequest.newBuilder().setKey(V2Keys.ALL).setRangeEnd(V2Keys.prefixEnd(V2Keys.ALL))
        .setStartRevision(from + 1).setPrevKv(true).build());
  }

  /**
   * Parks a watcher, or starts its history replay when its index is one the feed has passed.
   *
   * @param currentIndex the store index now (the {@code X-Etcd-Index} of the answer and of a 401)
   * @throws V2Error 401 when the index was compacted away
   */
  void watch(V2Watcher w, long currentIndex) {
    long compacted = compactRevision.getAsLong();
    if (w.sinceIndex < compacted) {
      throw new V2Error(V2Error.EVENT_INDEX_CLEARED,
          "the requested history has been cleared [" + compacted + "/" + w.sinceIndex + "]", currentIndex);
    }
    synchronized (this) {
      if (closed) {
        throw new V2Error(V2Error.RAFT_INTERNAL, "server is stopping", currentIndex);
      }
      if (w.sinceIndex > seen) {
        byPath.computeIfAbsent(w.path, p -> new LinkedHashSet<>()).add(w);
        parked++;
        return;
      }
    }
    w.history = new HistoryWatch(hub, w, currentIndex, executor, () -> {
      cancel(w);
      w.ended.run();
    });
  }

  /** Forgets a watcher at once (its client went away, or it was answered). */
  void cancel(V2Watcher w) {
    w.done = true;
    HistoryWatch h = w.history;
    if (h != null) {
      h.close();
      return;
    }
    synchronized (this) {
      Set<V2Watcher> set = byPath.get(w.path);
      if (set != null && set.remove(w)) {
        parked--;
        if (set.isEmpty()) {
          byPath.remove(w.path);
        }
      }
    }
  }

  /** Expirations this member's feed has seen. */
  long expired() {
    return expired.sum();
  }

  /** Watchers parked in the feed (not those replaying history); for stats and tests. */
  public synchronized int parked() {
    return parked;
  }

  private void drain() {
    WatchResponse r;
    while ((r = poll()) != null) {
      if (r.getCanceled()) {
        reopen(r);
        return;
      }
      List<Event> revision = new ArrayList<>();
      for (Event e : r.getEventsList()) {
        if (!revision.isEmpty() && revision.get(0).getKv().getModRevision() != e.getKv().getModRevision()) {
          dispatch(revision);
          revision = new ArrayList<>();
        }
        revision.add(e);
      }
      if (!revision.isEmpty()) {
        dispatch(revision);
      }
    }
  }

  private synchronized WatchResponse poll() {
    return closed ? null : feed.poll();
  }

  /** The feed fell behind a compaction (it only can when it was too slow): start again from now. */
  private void reopen(WatchResponse r) {
    LOG.warn("v2 watch feed canceled at revision {} (compacted {}); parked watchers keep waiting from now",
        seen, r.getCompactRevision());
    synchronized (this) {
      if (closed) {
        return;
      }
      feed.close();
      openFeed(Math.max(seen, r.getCompactRevision()));
    }
  }

  private void dispatch(List<Event> events) {
    long rev = events.get(0).getKv().getModRevision();
    List<EventTranslator.Translated> translated = EventTranslator.translate(rev, events);
    for (EventTranslator.Translated t : translated) {
      if (t.event().action.equals(V2Event.EXPIRE)) {
        expired.increment();
        if (t.event().node.dir) {
          onDirExpired.accept(t.event().node.key);
        }
      }
    }
    List<V2Watcher> answered = new ArrayList<>();
    List<V2Event> answers = new ArrayList<>();
    synchronized (this) {
      seen = Math.max(seen, rev);
      for (EventTranslator.Translated t : translated) {
        if (t.event().refresh) {
          continue;
        }
        Set<V2Watcher> told = new LinkedHashSet<>();
        String key = t.event().node.key;
        for (String c : V2Paths.selfAndAncestors(key)) {
          collect(c, t, key, false, told);
        }
        if (t.event().isDeletion()) {
          for (String removed : t.removedPaths()) {
            if (!removed.equals(key)) {
              collect(removed, t, key, true, told);
            }
          }
          if (t.event().action.equals(V2Event.EXPIRE) && t.event().node.dir) {
            // the lease took only the directory's own key: its subtree goes with it for the watchers below
            String below = key + "/";
            for (String watched : new ArrayList<>(byPath.keySet())) {
              if (watched.startsWith(below)) {
                collect(watched, t, key, true, told);
              }
            }
          }
        }
        for (V2Watcher w : told) {
          if (!w.stream) {
            Set<V2Watcher> set = byPath.get(w.path);
            if (set != null && set.remove(w)) {
              parked--;
              if (set.isEmpty()) {
                byPath.remove(w.path);
              }
            }
            w.done = true;
          }
          answered.add(w);
          answers.add(t.event());
        }
      }
    }
    for (int i = 0; i < answered.size(); i++) {
      answered.get(i).sink.accept(answers.get(i));
    }
  }

  private void collect(String watchPath, EventTranslator.Translated t, String key, boolean deleted,
      Set<V2Watcher> told) {
    Set<V2Watcher> set = byPath.get(watchPath);
    if (set == null) {
      return;
    }
    for (V2Watcher w : set) {
      if (w.wantsLive(t.event(), key, deleted)) {
        told.add(w);
      }
    }
  }

  /** The live rule for a watcher replaying history once it is past the asked revision. */
  static boolean wantsLive(V2Watcher w, EventTranslator.Translated t) {
    String key = t.event().node.key;
    if (V2Paths.selfAndAncestors(key).contains(w.path) && w.wantsLive(t.event(), key, false)) {
      return true;
    }
    return t.event().isDeletion() && t.removedPaths().contains(w.path) && w.wantsLive(t.event(), key, true);
  }

  /** Ends every parked answer (the server is stopping) and stops the feed. */
  @Override
  public void close() {
    List<V2Watcher> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      if (feed != null) {
        feed.close();
      }
      byPath.values().forEach(all::addAll);
      byPath.clear();
      parked = 0;
    }
    for (V2Watcher w : all) {
      w.done = true;
      w.ended.run();
    }
    executor.shutdown();
  }
}
