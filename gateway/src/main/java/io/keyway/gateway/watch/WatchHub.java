package io.keyway.gateway.watch;

import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.raft.MemberView;
import io.keyway.store.KvStore;
import io.keyway.store.watch.WatchStream;
import io.keyway.store.watch.WatchableStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's watch service behind all three transports: one {@link WatchableStore} over the member's store,
 * the response headers (cluster id, member id, raft term of this member), and the open client sessions, so
 * that a stopping server can end each one the way its protocol ends a stream.
 */
public final class WatchHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WatchHub.class);

  /** gRPC adds this much to --max-request-bytes for its receive limit (etcd's grpcOverheadBytes). */
  private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  private final WatchableStore store;
  private final MemberView view;
  private final WatchSettings settings;
  private final Set<WatchSession> sessions = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;
  private volatile WatchGuard guard = (token, create) -> null;
  private volatile java.util.function.Supplier<io.keyway.api.EtcdException> openCheck = () -> null;

  private WatchHub(WatchableStore store, MemberView view, WatchSettings settings) {
    this.store = store;
    this.view = view;
    this.settings = settings;
  }

  /** Starts watching {@code kv}, the member's store (which must outlive this hub). */
  public static WatchHub open(KvStore kv, MemberView view, WatchSettings settings) {
    return new WatchHub(new WatchableStore(kv, settings.storeOptions()), view, settings);
  }

  /** The gRPC {@code etcdserverpb.Watch} service, for one GrpcServer. */
  public Service grpcService() {
    return new WatchGrpcService(this);
  }

  /** {@code /v3/watch} over chunked HTTP and WebSocket, for one verticle's router. */
  public WatchRoutes routes(Vertx vertx) {
    return new WatchRoutes(this, vertx);
  }

  /** Limits a client listener needs for WebSocket watches. */
  public void configure(HttpServerOptions options) {
    // a frame carries one or a few JSON requests; none needs more than a raft entry can hold
    options.setMaxWebSocketFrameSize(settings.maxRequestBytes())
        .setMaxWebSocketMessageSize(settings.maxRequestBytes())
        // etcd's proxy answers a "Bearer, <token>" offer with the Bearer subprotocol (the token is for #7)
        .addWebSocketSubProtocol("Bearer");
  }

  WatchSettings settings() {
    return settings;
  }

  /** The gRPC receive limit, which also bounds one decoded JSON request. */
  long maxMessageSize() {
    return (long) settings.maxRequestBytes() + GRPC_OVERHEAD_BYTES;
  }

  ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder()
        .setClusterId(view.clusterId())
        .setMemberId(view.memberId())
        .setRevision(revision)
        .setRaftTerm(view.term())
        .build();
  }

  /** etcd's require-leader check: a client that asked for a leader gets "no leader" while there is none. */
  boolean hasLeader() {
    return view.leaderId() != 0;
  }

  /**
   * A new stream with this member's response headers; also used in process (lock and election waits).
   *
   * @throws io.keyway.api.EtcdException STOPPED once the server is stopping
   */
  public WatchStream newStream(Runnable onReady) {
    if (stopping) {
      throw io.keyway.api.EtcdError.STOPPED.exception();
    }
    return store.newStream(this::header, onReady);
  }

  void opened(WatchSession session) {
    sessions.add(session);
    if (stopping) {
      session.terminate(); // raced with endSessions: end it like the others
    }
    LOG.debug("watch session opened ({}): {} open", session, sessions.size());
  }

  void closed(WatchSession session) {
    if (sessions.remove(session)) {
      LOG.debug("watch session closed ({}): {} open", session, sessions.size());
    }
  }

  /** Watchers of every stream, client and in-process (etcd's etcd_debugging_mvcc_watcher_total). */
  public int watchers() {
    return store.watchers();
  }

  /** Open client sessions (streams, HTTP responses, WebSockets); for diagnostics and tests. */
  /** Checks every watch creation from now on (auth). */
  public void setGuard(WatchGuard guard) {
    this.guard = guard;
  }

  /** Asks {@code check} before every client watch stream opens (a learner refuses them); null: it may. */
  public void setOpenCheck(java.util.function.Supplier<io.keyway.api.EtcdException> check) {
    this.openCheck = check;
  }

  io.keyway.api.EtcdException openRefusal() {
    return openCheck.get();
  }

  WatchGuard guard() {
    return guard;
  }

  public int openSessions() {
    return sessions.size();
  }

  /**
   * Ends every session the way its transport ends a stream (gRPC status Unavailable, the HTTP response's last
   * chunk, a WebSocket close frame) and refuses new ones. Completes when each has been handed to its
   * connection; the caller bounds the wait.
   */
  public CompletableFuture<Void> endSessions() {
    stopping = true;
    List<CompletableFuture<Void>> ended = new ArrayList<>();
    for (WatchSession session : new ArrayList<>(sessions)) {
      ended.add(session.terminate());
    }
    return CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new));
  }

  /** Stops the watchable store; the member's store stays open. */
  @Override
  public void close() {
    stopping = true;
    store.close();
  }
}
