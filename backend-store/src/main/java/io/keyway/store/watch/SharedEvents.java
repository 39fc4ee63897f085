package io.keyway.store.watch;

import io.keyway.api.mvccpb.Event;
import io.keyway.store.RevisionChanges;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Committed events in revision order, shared by every watcher they go to. Events arrive with {@code prev_kv};
 * the copy without it, for watchers that did not ask, is made once per event rather than once per watcher.
 * Live commits arrive the other way round: without prev_kv, and the store reads it only if a watcher asks.
 */
final class SharedEvents {
  private final List<Event> events;
  private final long[] revisions;
  private final Event[] withoutPrev;
  /** Null when {@link #events} carry prev_kv themselves; else the events with prev_kv, loaded on demand. */
  private final Supplier<List<Event>> withPrevKv;

  private SharedEvents(List<Event> events, long[] revisions, Supplier<List<Event>> withPrevKv) {
    this.events = events;
    this.revisions = revisions;
    this.withoutPrev = withPrevKv == null ? new Event[events.size()] : null;
    this.withPrevKv = withPrevKv;
  }

  /** One revision's events, with prev_kv where there was a previous version. */
  static SharedEvents ofRevision(long revision, List<Event> events) {
    return new SharedEvents(events, sameRevision(revision, events.size()), null);
  }

  /**
   * One revision's events without prev_kv, and a way to get them with it: the store reads previous values
   * only when a watcher that asked for prev_kv gets one of these events.
   */
  static SharedEvents ofRevision(long revision, List<Event> events, Supplier<List<Event>> withPrevKv) {
    return new SharedEvents(events, sameRevision(revision, events.size()), withPrevKv);
  }

  private static long[] sameRevision(long revision, int n) {
    long[] revs = new long[n];
    java.util.Arrays.fill(revs, revision);
    return revs;
  }

  static SharedEvents of(List<RevisionChanges> changes) {
    List<Event> all = new ArrayList<>();
    for (RevisionChanges rc : changes) {
      all.addAll(rc.events());
    }
    long[] revs = new long[all.size()];
    int i = 0;
    for (RevisionChanges rc : changes) {
      for (int n = 0; n < rc.events().size(); n++) {
        revs[i++] = rc.revision();
      }
    }
    return new SharedEvents(all, revs, null);
  }

  int size() { return events.size(); }

  long revision(int i) { return revisions[i]; }

  Event event(int i) { return events.get(i); }

  Event forWatcher(int i, boolean prevKv) {
    if (withPrevKv != null) {
      return prevKv ? withPrevKv.get().get(i) : events.get(i);
    }
    Event e = events.get(i);
    if (prevKv || !e.hasPrevKv()) {
      return e;
    }
    Event stripped = withoutPrev[i];
    if (stripped == null) {
      stripped = e.toBuilder().clearPrevKv().build();
      withoutPrev[i] = stripped;
    }
    return stripped;
  }
}
