package io.keyway.store.watch;

import io.keyway.api.mvccpb.Event;
import io.keyway.store.RevisionChanges;
import java.util.ArrayList;
import java.util.List;

/**
 * Committed events in revision order, shared by every watcher they go to. Events arrive with {@code prev_kv};
 * the copy without it, for watchers that did not ask, is made once per event rather than once per watcher.
 */
final class SharedEvents {
  private final List<Event> events;
  private final long[] revisions;
  private final Event[] withoutPrev;

  private SharedEvents(List<Event> events, long[] revisions) {
    this.events = events;
    this.revisions = revisions;
    this.withoutPrev = new Event[events.size()];
  }

  static SharedEvents ofRevision(long revision, List<Event> events) {
    long[] revs = new long[events.size()];
    java.util.Arrays.fill(revs, revision);
    return new SharedEvents(events, revs);
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
    return new SharedEvents(all, revs);
  }

  int size() { return events.size(); }

  long revision(int i) { return revisions[i]; }

  Event event(int i) { return events.get(i); }

  Event forWatcher(int i, boolean prevKv) {
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
