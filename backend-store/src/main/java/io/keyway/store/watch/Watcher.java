package io.keyway.store.watch;

import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.mvccpb.Event;
import io.keyway.store.mvcc.KeyRange;
import java.util.ArrayList;
import java.util.List;

/**
 * One watcher: what it watches and how far it has been served. {@link #minRev} and {@link #state} belong to
 * the {@link WatchableStore} and change only under its lock.
 */
final class Watcher {
  enum State { SYNCED, UNSYNCED, COMPACTED, CANCELED }

  final long id;
  final KeyRange range;
  /** As requested; 0 means "after the revision at creation". */
  final long startRev;
  final boolean prevKv;
  final boolean progressNotify;
  final boolean fragment;
  private final boolean noPut;
  private final boolean noDelete;
  final WatchStream stream;

  /** The oldest revision not yet delivered (etcd's minRev). */
  long minRev;
  State state;
  /** Events were queued since the last progress tick: the next {@code progress_notify} is skipped. */
  volatile boolean eventsSinceTick;

  Watcher(long id, KeyRange range, WatchCreateRequest request, WatchStream stream) {
    this.id = id;
    this.range = range;
    this.startRev = request.getStartRevision();
    this.prevKv = request.getPrevKv();
    this.progressNotify = request.getProgressNotify();
    this.fragment = request.getFragment();
    this.noPut = request.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT);
    this.noDelete = request.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE);
    this.stream = stream;
  }

  boolean wants(Event e) {
    if (e.getType() == Event.EventType.PUT ? noPut : noDelete) {
      return false;
    }
    return range.contains(e.getKv().getKey());
  }

  /** This watcher's events among {@code events} with revisions in {@code [from, to]}, ready to send. */
  List<Event> select(SharedEvents events, long from, long to) {
    List<Event> out = null;
    for (int i = 0; i < events.size(); i++) {
      long rev = events.revision(i);
      if (rev < from) {
        continue;
      }
      if (rev > to) {
        break;
      }
      if (wants(events.event(i))) {
        if (out == null) {
          out = new ArrayList<>();
        }
        out.add(events.forWatcher(i, prevKv));
      }
    }
    return out == null ? List.of() : out;
  }

  @Override
  public String toString() {
    return "watcher " + id + " " + range + " from " + minRev + " " + state;
  }
}
