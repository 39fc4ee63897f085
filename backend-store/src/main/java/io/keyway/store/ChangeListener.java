package io.keyway.store;

import io.keyway.api.mvccpb.Event;
import java.util.List;
import java.util.function.Supplier;

/** Receives every committed change of the key space: the feed the watchable store is built on. */
@FunctionalInterface
public interface ChangeListener {
  /**
   * @param revision the revision all of {@code events} share
   * @param events   in the order the write produced them; each carries {@code prev_kv} when a previous
   *                 version existed, i.e. the key's version at {@code revision - 1} (what etcd's watcher
   *                 looks up), never for a creation; watchers strip it when they did not ask for it. A
   *                 DELETE event's {@code kv} holds only {@code key} and {@code mod_revision}.
   */
  void onCommit(long revision, List<Event> events);

  /**
   * The store's call: {@code events} without {@code prev_kv}, and the same events with it (as described
   * above), read from disk only if asked. {@code withPrevKv} may be asked only during this call. By default
   * the listener gets the events with {@code prev_kv}.
   */
  default void onCommit(long revision, List<Event> events, Supplier<List<Event>> withPrevKv) {
    onCommit(revision, withPrevKv.get());
  }

  /**
   * The store's content was replaced as a whole (a Raft snapshot was installed), so revisions may have been
   * skipped or rewound. Called on the thread that replaced it, after the swap and before the next commit,
   * with no store lock held.
   */
  default void storeReplaced() {}
}
