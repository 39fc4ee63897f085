package io.keyway.gateway.v2;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.UnaryRpc;
import io.keyway.raft.MemberView;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * etcd 3.4's v2 API ({@code --enable-v2}) on the client port: {@code /v2/keys} on the replicated v3 keyspace
 * ({@link V2Store}, {@link V2Watches}), and the cluster endpoints ({@link V2ClusterEndpoints}). Every reply is
 * written on the request's event loop; nothing here blocks.
 */
public final class V2Api {
  private static final String KEYS = "/v2/keys";

  private final EtcdRpcs rpcs;
  private final MemberView view;
  private final V2Watches watches;
  private final V2Credentials credentials;
  private final V2ClusterEndpoints cluster;
  private final V2StoreStats stats = new V2StoreStats();
  private final long maxBodyBytes;

  public V2Api(EtcdRpcs rpcs, MemberView view, V2Watches watches, long maxBodyBytes) {
    this.rpcs = rpcs;
    this.view = view;
    this.watches = watches;
    this.credentials = new V2Credentials(rpcs);
    this.cluster = new V2ClusterEndpoints(rpcs, view, stats, watches);
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Serves {@code path} (decoded, clean) when it is a v2 route; false otherwise. */
  public boolean handle(RoutingContext ctx, String path) {
    if (path.equals(KEYS) || path.startsWith(KEYS + "/")) {
      // the router's decoded path holds the escaped bytes one per char; keys are UTF-8, as Go strings are
      String keyPath = new String(path.substring(KEYS.length()).getBytes(StandardCharsets.ISO_8859_1),
          StandardCharsets.UTF_8);
      keys(ctx.request(), keyPath);
      return true;
    }
    return cluster.handle(ctx.request(), path);
  }

  private void keys(HttpServerRequest request, String keyPath) {
    HttpMethod m = request.method();
    HttpServerResponse response = request.response();
    if (m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.PUT && m != HttpMethod.POST
        && m != HttpMethod.DELETE) {
      V2Http.methodNotAllowed(response, "HEAD,GET,PUT,POST,DELETE");
      return;
    }
    response.putHeader("X-Etcd-Cluster-Id", Long.toHexString(view.clusterId()));
    long now = System.currentTimeMillis();
    Context context = Vertx.currentContext();
    readForm(request).onComplete(formRead -> {
      V2KeysRequest req;
      try {
        if (formRead.failed()) {
          throw V2Error.request(V2Error.INVALID_FORM, formRead.cause().getMessage());
        }
        req = V2KeysRequest.parse(m.name(), keyPath, formRead.result(), now);
      } catch (V2Error e) {
        writeError(response, e);
        return;
      }
      serve(request, req, context);
    });
  }

  private void serve(HttpServerRequest request, V2KeysRequest req, Context context) {
    HttpServerResponse response = request.response();
    credentials.token(request.headers()).thenCompose(token -> {
      RpcV3Access v3 = new RpcV3Access(rpcs, token);
      if (req.watch()) {
        return checkWatchAccess(token, req).thenApply(ok -> {
          context.runOnContext(v -> startWatch(request, req));
          return (V2Event) null;
        });
      }
      return run(new V2Store(v3), req);
    }).whenComplete((event, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        stats.failed(req);
        writeError(response, toV2(failure));
      } else if (event != null) {
        stats.succeeded(req);
        writeEvent(request, response, event, req.noValueOnSuccess());
      }
    }));
  }

  /** etcd's v2 applier: which store operation a request is. */
  private static CompletableFuture<V2Event> run(V2Store store, V2KeysRequest r) {
    switch (r.method()) {
      case "POST":
        return store.create(r.path(), r.dir(), r.value(), true, r.ttl());
      case "PUT":
        if (r.prevExist() != null) {
          if (r.prevExist()) {
            return r.prevIndex() == 0 && r.prevValue().isEmpty()
                ? store.update(r.path(), r.value(), r.ttl(), r.refresh())
                : store.compareAndSwap(r.path(), r.prevValue(), r.prevIndex(), r.value(), r.ttl(), r.refresh());
          }
          return store.create(r.path(), r.dir(), r.value(), false, r.ttl());
        }
        if (r.prevIndex() > 0 || !r.prevValue().isEmpty()) {
          return store.compareAndSwap(r.path(), r.prevValue(), r.prevIndex(), r.value(), r.ttl(), r.refresh());
        }
        return store.set(r.path(), r.dir(), r.value(), r.ttl(), r.refresh());
      case "DELETE":
        if (r.prevIndex() > 0 || !r.prevValue().isEmpty()) {
          return store.compareAndDelete(r.path(), r.prevValue(), r.prevIndex());
        }
        return store.delete(r.path(), r.dir(), r.recursive());
      default:
        return store.get(r.path(), r.recursive(), r.sorted());
    }
  }

  /** A watch reads without a v3 call of its own: check the caller could read what it watches. */
  private CompletableFuture<Boolean> checkWatchAccess(String token, V2KeysRequest r) {
    UnaryRpc<?, ?> range = rpcs.find("etcdserverpb.KV/Range");
    RangeRequest check = RangeRequest.newBuilder()
        .setKey(V2Paths.isRoot(r.path()) ? V2Keys.dir("/") : V2Keys.file(r.path()))
        .setRangeEnd(V2Keys.prefixEnd(V2Keys.dir(r.path())))
        .setCountOnly(true).setSerializable(true).build();
    return rpcs.invoke(range, check, token).toCompletableFuture().thenApply(x -> true);
  }

  private void startWatch(HttpServerRequest request, V2KeysRequest req) {
    HttpServerResponse response = request.response();
    long current = view.revision();
    long since = req.waitIndex() == 0 ? current + 1 : req.waitIndex();
    Context context = Vertx.currentContext();
    V2Watcher[] self = new V2Watcher[1];
    V2Watcher w = new V2Watcher(req.path(), req.recursive(), req.stream(), since,
        event -> context.runOnContext(v -> {
          if (response.ended() || response.closed()) {
            return;
          }
          String json = event.json(false, System.currentTimeMillis());
          if (req.stream()) {
            response.write(json);
          } else {
            response.end(json); // the event and the last chunk in one write
          }
        }),
        () -> context.runOnContext(v -> {
          if (!response.ended() && !response.closed()) {
            response.end();
          }
        }));
    self[0] = w;
    try {
      watches.watch(w, current);
    } catch (V2Error e) {
      writeError(response, e);
      return;
    } catch (RuntimeException e) { // the member is stopping: no new watch
      writeError(response, toV2(e));
      return;
    }
    response.closeHandler(v -> watches.cancel(self[0])); // the client hung up: forget the watcher now
    response.setChunked(true);
    response.putHeader("Content-Type", "application/json")
        .putHeader("X-Etcd-Index", Long.toString(current))
        .putHeader("X-Raft-Index", Long.toString(view.raftIndex()))
        .putHeader("X-Raft-Term", Long.toString(view.term()));
    response.setStatusCode(200).writeHead();
  }

  private void writeEvent(HttpServerRequest request, HttpServerResponse response, V2Event event,
      boolean noValueOnSuccess) {
    boolean noValue = noValueOnSuccess && (event.action.equals(V2Event.SET)
        || event.action.equals(V2Event.COMPARE_AND_SWAP) || event.action.equals(V2Event.CREATE)
        || event.action.equals(V2Event.UPDATE));
    response.putHeader("Content-Type", "application/json")
        .putHeader("X-Etcd-Index", Long.toString(event.etcdIndex))
        .putHeader("X-Raft-Index", Long.toString(view.raftIndex()))
        .putHeader("X-Raft-Term", Long.toString(view.term()));
    response.setStatusCode(event.isCreated() ? 201 : 200);
    if (request.method() == HttpMethod.HEAD) {
      response.end();
    } else {
      response.end(event.json(noValue, System.currentTimeMillis()));
    }
  }

  static void writeError(HttpServerResponse response, V2Error e) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.putHeader("X-Etcd-Index", Long.toString(e.index())).putHeader("Content-Type", "application/json");
    response.setStatusCode(e.status()).end(e.json());
  }

  /** A failure of the v3 calls as etcd's v2 handler reports it: access problems 110, the rest 300. */
  static V2Error toV2(Throwable failure) {
    Throwable t = V2Store.unwrap(failure);
    if (t instanceof V2Error e) {
      return e;
    }
    if (t instanceof EtcdException e) {
      EtcdError error = e.error();
      if (error == EtcdError.PERMISSION_DENIED_ERR || error == EtcdError.USER_EMPTY
          || error == EtcdError.INVALID_AUTH_TOKEN || error == EtcdError.AUTH_OLD_REVISION) {
        return V2Credentials.insufficient();
      }
      return new V2Error(V2Error.RAFT_INTERNAL, e.getMessage(), 0);
    }
    return new V2Error(V2Error.RAFT_INTERNAL, String.valueOf(t.getMessage()), 0);
  }

  /** Go's ParseForm: the urlencoded body of POST, PUT and PATCH, then the query. */
  private io.vertx.core.Future<GoForm> readForm(HttpServerRequest request) {
    String contentType = request.getHeader("Content-Type");
    boolean bodyForm = (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT
        || request.method() == HttpMethod.PATCH) && contentType != null
        && contentType.split(";", 2)[0].trim().equalsIgnoreCase("application/x-www-form-urlencoded");
    if (!bodyForm) {
      return wrap(null, request.query());
    }
    io.vertx.core.Promise<GoForm> promise = io.vertx.core.Promise.promise();
    Buffer body = Buffer.buffer();
    long[] received = {0};
    request.handler(chunk -> {
      received[0] += chunk.length();
      if (received[0] <= maxBodyBytes) {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> {
      if (received[0] > maxBodyBytes) {
        promise.tryFail(new GoForm.Malformed("http: POST too large"));
      } else {
        wrap(body.toString(java.nio.charset.StandardCharsets.UTF_8), request.query()).onComplete(promise);
      }
    });
    request.resume();
    return promise.future();
  }

  private static io.vertx.core.Future<GoForm> wrap(String body, String query) {
    try {
      return io.vertx.core.Future.succeededFuture(GoForm.parse(body, query));
    } catch (GoForm.Malformed e) {
      return io.vertx.core.Future.failedFuture(e);
    }
  }
}
