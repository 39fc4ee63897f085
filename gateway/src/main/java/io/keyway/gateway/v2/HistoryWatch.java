package io.keyway.gateway.v2;

import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.store.watch.WatchStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A v2 watcher whose waitIndex is already in the past: a v3 watch of its own from that revision replays the
 * history from the MVCC store (back to the last compaction) and then follows live writes. Events up to the
 * revision at which the watch was asked are matched as etcd matches its event history, later ones as etcd's
 * live notification does.
 */
final class HistoryWatch implements AutoCloseable {
  private final V2Watcher watcher;
  private final long askedAt;
  private final Executor executor;
  private final Runnable onEnd;
  private final WatchStream stream;
  private boolean closed;

  HistoryWatch(WatchHub hub, V2Watcher watcher, long askedAt, Executor executor, Runnable onEnd) {
    this.watcher = watcher;
    this.askedAt = askedAt;
    this.executor = executor;
    this.onEnd = onEnd;
    this.stream = hub.newStream(() -> executor.execute(this::drain));
    stream.create(WatchCreateRequest.newBuilder().setKey(V2Keys.ALL).setRangeEnd(V2Keys.prefixEnd(V2Keys.ALL))
        .setStartRevision(watcher.sinceIndex).setPrevKv(true).build());
    executor.execute(this::drain);
  }

  private synchronized void drain() {
    WatchResponse r;
    while (!closed && (r = stream.poll()) != null) {
      if (r.getCanceled()) {
        close();
        onEnd.run();
        return;
      }
      List<Event> revision = new ArrayList<>();
      for (Event e : r.getEventsList()) {
        if (!revision.isEmpty() && revision.get(0).getKv().getModRevision() != e.getKv().getModRevision()) {
          deliver(revision);
          revision = new ArrayList<>();
          if (closed) {
            return;
          }
        }
        revision.add(e);
      }
      if (!revision.isEmpty()) {
        deliver(revision);
      }
    }
  }

  private void deliver(List<Event> events) {
    long rev = events.get(0).getKv().getModRevision();
    for (EventTranslator.Translated t : EventTranslator.translate(rev, events)) {
      V2Event e = t.event();
      if (closed || e.refresh) {
        continue;
      }
      boolean wanted = rev <= askedAt ? watcher.wantsPast(e) : V2Watches.wantsLive(watcher, t);
      if (wanted) {
        watcher.sink.accept(e);
        if (!watcher.stream) {
          close();
          return;
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      watcher.done = true;
      stream.close();
    }
  }
}
