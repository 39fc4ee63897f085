package io.keyway.gateway.http;

import io.keyway.gateway.config.ClientTls;
import io.keyway.gateway.metrics.ServerMetrics;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.MemberView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's {@code --listen-metrics-urls}: extra listeners serving only {@code /metrics} and the health endpoints
 * ({@code /health}, {@code /livez}, {@code /readyz}), so monitoring needs no access to the client API.
 * {@code https://} URLs use the client TLS settings, as etcd's do.
 */
public final class MetricsListener {
  private MetricsListener() {}

  public static Future<List<HttpServer>> start(Vertx vertx, List<URI> urls, ServerMetrics metrics, EtcdKv kv,
      MemberView view, EtcdRpcs rpcs, long requestTimeoutMs, ClientTls tls) {
    HealthEndpoints health = new HealthEndpoints(vertx, kv, view, rpcs.maintenance(), requestTimeoutMs);
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      String path = ctx.request().path();
      if ("/metrics".equals(path)) {
        MetricsEndpoint.serve(ctx.request(), metrics);
      } else if (path == null || !health.serve(path, ctx)) {
        GoHttp.notFound(ctx.response());
      }
    });
    List<Future<HttpServer>> listening = new ArrayList<>();
    for (URI url : urls) {
      HttpServerOptions options = ClientVerticle.options(url);
      if ("https".equals(url.getScheme())) {
        ClientTlsOptions.apply(options, tls);
      }
      listening.add(NoH2cUpgrade.createServer(vertx, options).requestHandler(router).listen());
    }
    return Future.all(listening).map(all -> all.list());
  }
}
