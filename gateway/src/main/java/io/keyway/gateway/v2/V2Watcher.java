package io.keyway.gateway.v2;

import java.util.function.Consumer;

/**
 * One parked v2 watch ({@code wait=true}): the path, whether the subtree counts, whether it stays for more than
 * one event, the first index it wants, and where its events go. Registered in {@link V2Watches}; forgotten when
 * answered (unless streaming) or cancelled.
 */
final class V2Watcher {
  final String path;
  final boolean recursive;
  final boolean stream;
  final long sinceIndex;
  final Consumer<V2Event> sink;
  /** Ends the answer without an event (the server stops, or the history behind the watcher was compacted). */
  final Runnable ended;
  volatile boolean done;
  /** The watcher's own v3 watch when it started in the history; null while parked in the shared feed. */
  volatile HistoryWatch history;

  V2Watcher(String path, boolean recursive, boolean stream, long sinceIndex, Consumer<V2Event> sink,
      Runnable ended) {
    this.path = path;
    this.recursive = recursive;
    this.stream = stream;
    this.sinceIndex = sinceIndex;
    this.sink = sink;
    this.ended = ended;
  }

  /** etcd's watcher.notify condition, for an event at the watcher's path or one above it. */
  boolean wantsLive(V2Event e, String eventKey, boolean deleted) {
    boolean original = eventKey.equals(path);
    if (!original && !deleted && V2Paths.hiddenFrom(path, eventKey)) {
      return false;
    }
    return (recursive || original || deleted) && e.index() >= sinceIndex;
  }

  /** etcd's EventHistory.scan condition, for an event found in the history. */
  boolean wantsPast(V2Event e) {
    String key = e.node.key;
    boolean ok = key.equals(path);
    if (recursive) {
      String prefix = path.endsWith("/") ? path : path + "/";
      ok = ok || key.startsWith(prefix);
    }
    if ((e.action.equals(V2Event.DELETE) || e.action.equals(V2Event.EXPIRE)) && e.prevNode != null
        && e.prevNode.dir) {
      ok = ok || path.startsWith(e.prevNode.key);
    }
    return ok && e.index() >= sinceIndex;
  }
}
