package io.keyway.gateway.http;

import io.keyway.gateway.EtcdVersion;
import io.keyway.gateway.auth.CallerTokens;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.LeaseRpcs;
import io.keyway.gateway.rpc.ServerStreamRpc;
import io.keyway.gateway.v2.V2Api;
import io.keyway.gateway.watch.WatchRoutes;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;
import io.keyway.raft.MemberView;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * Everything on the client port that is not gRPC: etcd's HTTP/JSON gateway under {@code /v3/}, the basic
 * endpoints ({@code /version}, {@code /health}, {@code /livez}, {@code /readyz}), the JavaScript client
 * ({@code /keyway.js}, Keyway's own), the API's contract ({@code /openapi.json}), the web console ({@code /ui/}) and
 * Swagger UI ({@code /docs/}) unless {@code --enable-ui=false}, and Go's answers for everything else. Paths are
 * matched exactly on the percent-decoded path, as Go's muxes do (no trailing-slash
 * leniency); a path that is not clean gets Go's ServeMux redirect, as does {@code /v3} (to {@code /v3/}).
 */
public final class ClientRouter {
  private static final CharSequence ALLOW_METHODS_NAME = HttpHeaders.createOptimized("Access-Control-Allow-Methods");
  private static final CharSequence ALLOW_METHODS = HttpHeaders.createOptimized("POST, GET, OPTIONS, PUT, DELETE");
  private static final CharSequence ALLOW_ORIGIN_NAME = HttpHeaders.createOptimized("Access-Control-Allow-Origin");
  private static final CharSequence ALLOW_ORIGIN = HttpHeaders.createOptimized("*");
  private static final CharSequence ALLOW_HEADERS_NAME = HttpHeaders.createOptimized("Access-Control-Allow-Headers");
  private static final CharSequence ALLOW_HEADERS = HttpHeaders.createOptimized("accept, content-type, authorization");
  private static final String VERSION_BODY =
      "{\"etcdserver\":\"" + EtcdVersion.SERVER + "\",\"etcdcluster\":\"" + EtcdVersion.CLUSTER + "\"}";

  private final JsonGateway gateway;
  private final EtcdRpcs rpcs;
  private final HealthEndpoints health;
  private final EtcdLease lease;
  private final WatchRoutes watch;
  private final ClientLibrary library = ClientLibrary.load();
  private final ApiDocsRoutes apiDocs;
  private final long maxMessageSize;
  private final Vertx vertx;
  private final V2Api v2;
  /** Null with {@code --enable-ui=false}: its paths are then unknown, as on etcd. */
  private final WebConsole console;

  private ClientRouter(Vertx vertx, EtcdRpcs rpcs, JsonGateway gateway, HealthEndpoints health, EtcdLease lease,
      WatchRoutes watch, long maxMessageSize, V2Api v2, WebConsole console) {
    this.v2 = v2;
    this.apiDocs = ApiDocsRoutes.load(console != null);
    this.console = console;
    this.rpcs = rpcs;
    this.gateway = gateway;
    this.health = health;
    this.lease = lease;
    this.watch = watch;
    this.maxMessageSize = maxMessageSize;
    this.vertx = vertx;
  }

  /**
   * @param lease serves {@code /v3/lease/keepalive}; null when this build has no lessor (the route then
   *              answers like any unimplemented RPC)
   * @param watch serves {@code /v3/watch} (chunked HTTP and WebSocket); null when watches are not served
   * @param maxMessageSize gRPC receive limit, which the gateway enforces too
   * @param requestTimeoutMs how long a health check read may take
   * @param v2 serves etcd 3.4's v2 API under {@code /v2/}; null: those paths are unknown (404)
   * @param enableUi {@code --enable-ui}: serve the web console under {@code /ui/} and send browsers there from
   *                 {@code /}, and Swagger UI under {@code /docs/}
   */
  public static Router create(Vertx vertx, EtcdRpcs rpcs, EtcdKv kv, EtcdLease lease, WatchRoutes watch,
      MemberView view, long maxMessageSize, long requestTimeoutMs, V2Api v2, boolean enableUi) {
    ClientRouter routes = new ClientRouter(vertx, rpcs, new JsonGateway(rpcs, maxMessageSize),
        new HealthEndpoints(vertx, kv, view, rpcs.maintenance(), requestTimeoutMs), lease, watch, maxMessageSize,
        v2, enableUi ? WebConsole.load(view) : null);
    Router router = Router.router(vertx);
    router.route().handler(ClientRouter::requestLine);
    router.route().handler(ClientRouter::cors);
    router.route().handler(routes::dispatch);
    return router;
  }

  /** Go's server refuses a request path with a malformed escape before any handler (and CORS) runs. */
  private static void requestLine(RoutingContext ctx) {
    String raw = ctx.request().path();
    if (raw != null && GoPaths.unescape(raw) == null) {
      ctx.response().headers().set(GoHttp.CONTENT_TYPE, GoHttp.TEXT_PLAIN).set(HttpHeaders.CONNECTION, "close");
      ctx.response().setStatusCode(400).end("400 Bad Request");
      return;
    }
    ctx.next();
  }

  /** etcd's default {@code --cors=*}: the CORS trio on every response, 200 for any OPTIONS request. */
  private static void cors(RoutingContext ctx) {
    MultiMap headers = ctx.response().headers();
    headers.set(ALLOW_METHODS_NAME, ALLOW_METHODS);
    headers.set(ALLOW_ORIGIN_NAME, ALLOW_ORIGIN);
    headers.set(ALLOW_HEADERS_NAME, ALLOW_HEADERS);
    if (ctx.request().method() == HttpMethod.OPTIONS) {
      ctx.response().setStatusCode(200).end();
      return;
    }
    ctx.next();
  }

  /**
   * etcd's WebSocket proxy wraps every {@code /v3/} route: lease keep-alive and the server streams are served
   * over a WebSocket too (the watch one is {@link WatchRoutes}'). False when the route is not a stream.
   */
  private boolean upgradeStream(RoutingContext ctx, String method) {
    boolean keepAlive = lease != null && method.equals(LeaseRpcs.KEEP_ALIVE);
    ServerStreamRpc<?, ?> stream = keepAlive ? null : rpcs.findStream(method);
    if (!keepAlive && stream == null) {
      return false;
    }
    Context context = vertx.getOrCreateContext();
    JsonWebSocket.Limits limits = watch != null ? watch.webSocketLimits()
        : new JsonWebSocket.Limits(maxMessageSize, Duration.ZERO);
    ctx.request().toWebSocket().onSuccess(socket -> {
      JsonWebSocket ws = new JsonWebSocket(vertx, socket, limits, method);
      if (keepAlive) {
        new KeepAliveWebSocket(rpcs.leaseFor(lease, CallerTokens.webSocket(ctx.request().headers())), context, ws)
            .start();
      } else {
        new ServerStreamWebSocket(rpcs.forCaller(stream, CallerTokens.webSocket(ctx.request().headers())), context,
            ws).start();
      }
    }); // a failed handshake has already been answered (400) by Vert.x
    return true;
  }

  /**
   * A stream this member refuses to open (a learner's), answered as etcd's gateway answers a stream whose
   * gRPC call failed at the start: the unary error (503), or that body as one WebSocket message.
   */
  private boolean refusedStream(RoutingContext ctx, String method) {
    boolean post = ctx.request().method() == HttpMethod.POST;
    boolean upgrade = ctx.request().method() == HttpMethod.GET && ctx.request().canUpgradeToWebSocket();
    io.keyway.api.EtcdException refused = post || upgrade ? rpcs.refuseStream(method) : null;
    if (refused == null) {
      return false;
    }
    if (post) {
      JsonGateway.error(ctx.response(), refused.code(), refused.getMessage());
      return true;
    }
    JsonWebSocket.Limits limits = watch != null ? watch.webSocketLimits()
        : new JsonWebSocket.Limits(maxMessageSize, Duration.ZERO);
    ctx.request().toWebSocket().onSuccess(socket -> {
      JsonWebSocket ws = new JsonWebSocket(vertx, socket, limits, method);
      ws.writeError(refused.code(), refused.getMessage());
      ws.close(JsonWebSocket.INTERNAL_ERROR, "");
    });
    return true;
  }

  private void dispatch(RoutingContext ctx) {
    String raw = ctx.request().path();
    if (raw == null) {
      GoHttp.notFound(ctx.response());
      return;
    }
    String path = GatewayRoutes.canonical(GoPaths.unescape(raw)); // etcd rewrites /v3beta/ before its mux
    String clean = GoPaths.clean(path);
    if (clean.equals("/v3") || !clean.equals(path)) {
      // Go's ServeMux: /v3 is the /v3/ subtree without its slash; any other unclean path goes to its clean form
      GoHttp.movedPermanently(ctx.request(), ctx.response(),
          GoPaths.location(clean.equals("/v3") ? "/v3/" : clean, ctx.request().query()));
      return;
    }
    String method = GatewayRoutes.methodFor(path);
    if (method != null) {
      if (refusedStream(ctx, method)) {
        return;
      }
      if (watch != null && watch.handle(ctx, method)) {
        return; // POST streams; GET with a WebSocket upgrade
      }
      if (ctx.request().method() == HttpMethod.POST) {
        if (lease != null && method.equals(LeaseRpcs.KEEP_ALIVE)) {
          new KeepAliveStream(rpcs.leaseFor(lease, CallerTokens.http(ctx.request().headers())), maxMessageSize,
              ctx.request()).start();
          return;
        }
        ServerStreamRpc<?, ?> stream = rpcs.findStream(method);
        if (stream != null) {
          new ServerStreamHttp(rpcs.forCaller(stream, CallerTokens.http(ctx.request().headers())), maxMessageSize,
              ctx.request()).start();
          return;
        }
        gateway.handle(ctx, method);
      } else if (ctx.request().method() == HttpMethod.GET && ctx.request().canUpgradeToWebSocket()
          && upgradeStream(ctx, method)) {
        return;
      } else {
        GoHttp.error(ctx.response(), 405, "Method Not Allowed");
      }
      return;
    }
    if (GatewayRoutes.canonical(path).startsWith("/v3/")) {
      GoHttp.error(ctx.response(), 404, "Not Found"); // grpc-gateway's own 404
      return;
    }
    if (v2 != null && (path.equals("/v2") || path.startsWith("/v2/")) && v2.handle(ctx, path)) {
      return;
    }
    if (path.equals("/version")) {
      if (ctx.request().method() != HttpMethod.GET) {
        GoHttp.onlyGet(ctx.response());
      } else {
        ctx.response().putHeader(GoHttp.CONTENT_TYPE, GoHttp.APPLICATION_JSON).end(VERSION_BODY);
      }
      return;
    }
    if (path.equals(ClientLibrary.PATH)) {
      library.serve(ctx);
      return;
    }
    if (console != null && console.serve(path, ctx)) {
      return;
    }
    if (apiDocs.serve(path, ctx)) {
      return;
    }
    if (!health.serve(path, ctx)) {
      GoHttp.notFound(ctx.response());
    }
  }
}
