package io.keyway.gateway.http;

import io.keyway.gateway.config.ClientTls;
import io.keyway.gateway.grpc.GrpcServices;
import io.keyway.gateway.grpc.KeepAliveService;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;
import io.keyway.raft.MemberView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One set of client listeners, one HTTP server per {@code --listen-client-urls} entry. Each port serves
 * gRPC (HTTP/2, {@code application/grpc*}) and HTTP/1.1 or HTTP/2 JSON side by side, as etcd's single client
 * port does; cleartext HTTP/2 with prior knowledge on {@code http://} URLs (an HTTP/1.1 {@code Upgrade: h2c} is
 * ignored, as Go's server does: {@link NoH2cUpgrade}), TLS with ALPN on {@code https://} ones. Deploy one instance
 * per event loop; Vert.x spreads connections across them.
 */
public final class ClientVerticle extends VerticleBase {
  /**
   * What every instance shares; all of it is thread-safe.
   *
   * @param lease the Lease service's streaming half (keep-alive); null when leases are not served
   * @param watches the Watch service (gRPC, chunked HTTP, WebSocket); null when watches are not served
   * @param tls settings of the {@code https://} listeners (with a certificate when there are any)
   * @param metrics counts requests and serves {@code /metrics}; null for neither
   * @param v2 the v2 API under {@code /v2/}; null when not served
   * @param enableUi {@code --enable-ui}: whether the browser-facing pages (the console at {@code /ui/}) are served
   */
  public record Setup(List<URI> listenUrls, EtcdRpcs rpcs, EtcdKv kv, EtcdLease lease, WatchHub watches,
      MemberView view, long maxMessageSize, long requestTimeoutMs, ClientTls tls, RequestMetrics metrics,
      io.keyway.gateway.v2.V2Api v2, boolean enableUi) {}

  /** etcd allows any number of concurrent streams per client connection (math.MaxUint32). */
  private static final long MAX_CONCURRENT_STREAMS = 0xFFFFFFFFL;
  private static final int STREAM_WINDOW = 1 << 20;
  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private final Setup setup;
  private final List<HttpServer> servers = new ArrayList<>();

  public ClientVerticle(Setup setup) {
    this.setup = setup;
  }

  @Override
  public Future<?> start() {
    List<Service> streaming = new ArrayList<>();
    if (setup.lease() != null) {
      streaming.add(new KeepAliveService(token -> setup.rpcs().leaseFor(setup.lease(), token),
          setup.maxMessageSize()));
    }
    if (setup.watches() != null) {
      streaming.add(setup.watches().grpcService());
    }
    GrpcServer grpc = GrpcServices.create(vertx, setup.rpcs(), setup.maxMessageSize(), streaming);
    Router router = ClientRouter.create(vertx, setup.rpcs(), setup.kv(), setup.lease(),
        setup.watches() == null ? null : setup.watches().routes(vertx), setup.view(), setup.maxMessageSize(),
        setup.requestTimeoutMs(), setup.v2(), setup.enableUi());
    List<Future<HttpServer>> listening = new ArrayList<>();
    for (URI url : setup.listenUrls()) {
      HttpServerOptions options = options(url);
      if ("https".equals(url.getScheme())) {
        ClientTlsOptions.apply(options, setup.tls());
      }
      if (setup.watches() != null) {
        setup.watches().configure(options);
      }
      HttpServer server = NoH2cUpgrade.createServer(vertx, options)
          .connectionHandler(AuthorityFix::install)
          .requestHandler(request -> dispatch(request, grpc, router, setup.metrics()));
      servers.add(server);
      listening.add(server.listen());
    }
    return Future.all(listening);
  }

  /** Lets in-flight requests finish (up to a grace period) before the port closes. */
  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer server : servers) {
      closing.add(server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS));
    }
    return Future.join(closing);
  }

  static void dispatch(HttpServerRequest request, GrpcServer grpc, Router router, RequestMetrics metrics) {
    String contentType = request.getHeader("content-type");
    // as etcd's grpcHandlerFunc: only HTTP/2 carries gRPC; an HTTP/1.1 POST with a gRPC content type is
    // still a JSON gateway request (the gateway ignores Content-Type)
    if (request.version() == HttpVersion.HTTP_2 && contentType != null && contentType.contains("application/grpc")) {
      if (metrics != null) {
        metrics.grpc(request);
      }
      grpc.handle(request);
      return;
    }
    if (metrics != null) {
      metrics.http(request);
      if ("/metrics".equals(request.path())) {
        MetricsEndpoint.serve(request, metrics.server());
        return;
      }
    }
    if (request.version() != HttpVersion.HTTP_2) {
      // vertx-web rejects a Host it cannot parse, and Vert.x 5.0.7 even throws (leaving the request
      // unanswered) on percent-encoded ones; etcd ignores the Host, so give the router one it accepts
      String repaired = AuthorityFix.repair(request.getHeader(HttpHeaders.HOST));
      if (repaired != null) {
        request.headers().set(HttpHeaders.HOST, repaired);
      }
    }
    router.handle(request);
  }

  static HttpServerOptions options(URI url) {
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // IPv6 literal
    }
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(url.getPort())
        .setHttp2ClearTextEnabled(true)
        .setHandle100ContinueAutomatically(true)
        .setInitialSettings(new Http2Settings()
            .setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .setInitialWindowSize(STREAM_WINDOW));
    options.setHttp2ConnectionWindowSize(4 * STREAM_WINDOW);
    return options;
  }
}
