package io.keyway.gateway.watch;

import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.store.watch.WatchStream;
import io.vertx.core.Context;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's watch stream bound to one transport (gRPC stream, chunked HTTP response or WebSocket): feeds
 * the client's requests to a {@link WatchStream} and writes its responses as fast as the connection takes
 * them. Everything runs on the connection's event loop; only the stream's readiness signal comes from other
 * threads, and it just schedules a drain here.
 *
 * <p>Flow control both ways: responses are polled only while the connection's write queue has room (its
 * drain handler resumes polling), and the client's requests stop being read while the stream's buffer is
 * full, so neither a slow reader nor a flood of requests grows memory without bound.
 */
final class WatchSession {

  /** What a session needs from its connection. All calls come on the connection's context. */
  interface Transport {
    boolean writeQueueFull();

    void write(WatchResponse response);

    void pauseRequests();

    void resumeRequests();

    /** The server ends the stream (it is stopping): the protocol's orderly end. */
    void terminate();
  }

  private final WatchHub hub;
  private final Context context;
  private final WatchCaller caller;
  private final int maxWatchers;
  private final AtomicBoolean drainQueued = new AtomicBoolean();
  /** Ids of the watchers the client holds (created and not canceled by it), for the per-session limit. */
  private final Set<Long> watchIds = new HashSet<>();
  private Transport transport;
  private WatchStream stream;
  private boolean paused;
  private boolean closed;

  private WatchSession(WatchHub hub, Context context, WatchCaller caller, int maxWatchers) {
    this.hub = hub;
    this.context = context;
    this.caller = caller;
    this.maxWatchers = maxWatchers;
  }

  /**
   * Opens a session on the current context.
   *
   * @param maxWatchers watchers this session may hold; a create beyond it is answered created-and-canceled
   * @throws io.keyway.api.EtcdException STOPPED when the server is stopping
   */
  static WatchSession open(WatchHub hub, Context context, WatchCaller caller, int maxWatchers,
      Transport transport) {
    io.keyway.api.EtcdException refused = hub.openRefusal();
    if (refused != null) {
      throw refused;
    }
    WatchSession session = new WatchSession(hub, context, caller, maxWatchers);
    session.transport = transport;
    session.stream = hub.newStream(session::ready);
    hub.opened(session);
    return session;
  }

  /** Who is calling; the one place auth (issue #7) will read the caller's token from. */
  WatchCaller caller() {
    return caller;
  }

  boolean paused() {
    return paused;
  }

  boolean isClosed() {
    return closed;
  }

  /** Handles one client request (etcd's recvLoop): unknown or empty requests are ignored. */
  void request(WatchRequest request) {
    if (closed) {
      return;
    }
    switch (request.getRequestUnionCase()) {
      case CREATE_REQUEST -> create(request.getCreateRequest());
      case CANCEL_REQUEST -> {
        long id = request.getCancelRequest().getWatchId();
        watchIds.remove(id);
        stream.cancel(id);
      }
      case PROGRESS_REQUEST -> stream.requestProgress();
      default -> { }
    }
    if (!paused && stream.backlogged()) {
      paused = true;
      transport.pauseRequests();
    }
  }

  private void create(WatchCreateRequest create) {
    if (watchIds.size() >= maxWatchers) {
      stream.reject("keyway: too many watchers on one WebSocket connection (--ws-max-watchers=" + maxWatchers + ")");
      return;
    }
    String refused = hub.guard().refusal(caller.token(), create);
    if (refused != null) {
      stream.reject(refused);
      return;
    }
    long id = stream.create(create);
    if (id != WatchStream.INVALID_WATCH_ID) {
      watchIds.add(id);
    }
  }

  /** Writes queued responses while the connection takes them; resumes reading requests once there is room. */
  void drain() {
    drainQueued.set(false);
    if (closed) {
      return;
    }
    WatchResponse response;
    while (!transport.writeQueueFull() && (response = stream.poll()) != null) {
      transport.write(response);
      if (closed) {
        return; // the write failed and ended the session
      }
    }
    if (paused && !stream.backlogged()) {
      paused = false;
      transport.resumeRequests();
    }
  }

  /** The stream's readiness signal, from any thread: schedule one drain on the connection's context. */
  private void ready() {
    if (drainQueued.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  /** The connection went away or the call ended: drop the watchers. Idempotent. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    stream.close();
    hub.closed(this);
  }

  /** Server shutdown, from any thread: flush what can be written, end the transport, drop the watchers. */
  CompletableFuture<Void> terminate() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        if (!closed) {
          drain();
          if (!closed) {
            transport.terminate();
          }
          close();
        }
      } finally {
        done.complete(null);
      }
    });
    return done;
  }

  @Override
  public String toString() {
    return caller.transport() + " watch from " + caller.remote();
  }
}
