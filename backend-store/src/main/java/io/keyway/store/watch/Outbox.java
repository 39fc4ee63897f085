package io.keyway.store.watch;

import io.keyway.api.etcdserverpb.WatchResponse;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The bounded queue between a stream's watchers and its transport.
 *
 * <p>Three kinds of responses enter it. Events are refused when the queue is at its bound: the watcher then
 * leaves the live feed and catches up from history once the consumer has drained the queue to half. Progress
 * notifications are refused the same way but simply dropped (etcd drops them on a full channel too).
 * Control responses (created, canceled) are always taken: they answer client requests, so the transport
 * bounds them by not reading requests while {@link #backlogged()}.
 *
 * <p>Readiness is edge-triggered: the consumer is told once when a response arrives after a
 * {@link #poll()} found the queue empty. Producers hold the store's lock, so the notification itself is
 * left to {@link WatchableStore#fireSignals()}, which runs it after every lock is released.
 */
final class Outbox {
  private final int maxResponses;
  private final long maxBytes;
  private final Runnable onReady;
  private final Runnable onRoom;
  private final ArrayDeque<WatchResponse> queue = new ArrayDeque<>();
  private long bytes;
  /** The consumer saw an empty queue and waits for a signal. */
  private boolean armed = true;
  /** Events were refused: wake the catch-up when the consumer has made room. */
  private boolean starved;
  private boolean closed;

  Outbox(int maxResponses, long maxBytes, Runnable onReady, Runnable onRoom) {
    this.maxResponses = maxResponses;
    this.maxBytes = maxBytes;
    this.onReady = onReady;
    this.onRoom = onRoom;
  }

  enum Offer { TAKEN, TAKEN_SIGNAL, REFUSED }

  /** Queues event responses (the fragments of one response) all together, or none of them. */
  synchronized Offer offerEvents(List<WatchResponse> responses) {
    if (closed) {
      return Offer.TAKEN; // the watchers are being removed; nothing will read this
    }
    if (!hasRoomLocked()) {
      starved = true;
      return Offer.REFUSED;
    }
    return addLocked(responses);
  }

  synchronized Offer offerProgress(WatchResponse response) {
    if (closed) {
      return Offer.TAKEN;
    }
    return hasRoomLocked() ? addLocked(List.of(response)) : Offer.REFUSED;
  }

  synchronized Offer control(WatchResponse response) {
    return closed ? Offer.TAKEN : addLocked(List.of(response));
  }

  /** Whether events would be taken now; if not, the consumer's next drain wakes the catch-up. */
  synchronized boolean hasRoom() {
    if (hasRoomLocked()) {
      return true;
    }
    starved = true;
    return false;
  }

  /**
   * The next response, or null when there is none (which arms the next readiness signal). Runs
   * {@code onRoom} when this poll made room for a stream whose events were refused.
   */
  WatchResponse poll() {
    boolean room = false;
    WatchResponse r;
    synchronized (this) {
      r = closed ? null : queue.poll();
      if (r == null) {
        armed = true;
        return null;
      }
      bytes -= r.getSerializedSize();
      if (starved && queue.size() <= maxResponses / 2 && bytes <= maxBytes / 2) {
        starved = false;
        room = true;
      }
    }
    if (room) {
      onRoom.run();
    }
    return r;
  }

  synchronized boolean backlogged() {
    return !hasRoomLocked();
  }

  synchronized int size() {
    return queue.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized void close() {
    closed = true;
    queue.clear();
    bytes = 0;
  }

  void signal() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    onReady.run();
  }

  private boolean hasRoomLocked() {
    return queue.size() < maxResponses && bytes < maxBytes;
  }

  private Offer addLocked(List<WatchResponse> responses) {
    for (WatchResponse r : responses) {
      queue.add(r);
      bytes += r.getSerializedSize();
    }
    if (armed) {
      armed = false;
      return Offer.TAKEN_SIGNAL;
    }
    return Offer.TAKEN;
  }
}
