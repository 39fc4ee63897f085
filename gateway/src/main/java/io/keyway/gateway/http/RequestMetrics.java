package io.keyway.gateway.http;

import io.keyway.gateway.metrics.ServerMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-request metrics of the client listeners: go-grpc-prometheus' {@code grpc_server_started_total} and
 * {@code grpc_server_handled_total} (every etcd method and code present from the start, as etcd's), and
 * Keyway's {@code keyway_http_request_duration_seconds} per gateway route. Label sets are resolved once, so
 * a request costs a map lookup and an adder increment.
 */
public final class RequestMetrics {
  private static final String[] CODES = {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
      "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
      "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"};
  private static final int CANCELED = 1;
  private static final Set<String> BIDI = Set.of("etcdserverpb.Watch/Watch", "etcdserverpb.Lease/LeaseKeepAlive");
  private static final Set<String> SERVER_STREAMS =
      Set.of("etcdserverpb.Maintenance/Snapshot", "v3electionpb.Election/Observe");
  private static final Set<String> OTHER_ROUTES = Set.of("/health", "/livez", "/readyz", "/version", "/metrics");
  private static final String OTHER = "other";

  /** One gRPC method's data points: started, and handled by code. */
  private record Method(CounterDataPoint started, CounterDataPoint[] handled) {}

  private final ServerMetrics metrics;
  private final Map<String, Method> byPath = new HashMap<>();
  private final Histogram durations;
  private final Map<String, DistributionDataPoint> byRoute = new ConcurrentHashMap<>();

  /** Registers the request metrics in {@code metrics}' registry; create one per server. */
  public RequestMetrics(ServerMetrics metrics) {
    this.metrics = metrics;
    Counter started = Counter.builder().name("grpc_server_started_total")
        .help("Total number of RPCs started on the server.")
        .labelNames("grpc_type", "grpc_service", "grpc_method").withoutExemplars().register(metrics.registry());
    Counter handled = Counter.builder().name("grpc_server_handled_total")
        .help("Total number of RPCs completed on the server, regardless of success or failure.")
        .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code").withoutExemplars()
        .register(metrics.registry());
    for (String full : GatewayRoutes.methods()) {
      int slash = full.indexOf('/');
      String service = full.substring(0, slash);
      String method = full.substring(slash + 1);
      String type = BIDI.contains(full) ? "bidi_stream" : SERVER_STREAMS.contains(full) ? "server_stream" : "unary";
      CounterDataPoint[] byCode = new CounterDataPoint[CODES.length];
      for (int c = 0; c < CODES.length; c++) {
        byCode[c] = handled.labelValues(type, service, method, CODES[c]);
      }
      byPath.put("/" + full, new Method(started.labelValues(type, service, method), byCode));
    }
    durations = Histogram.builder().name("keyway_http_request_duration_seconds")
        .help("Time to answer an HTTP request (JSON gateway, health, version, metrics) by route; for streams, "
            + "until the response ends.")
        .classicOnly()
        .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .labelNames("route").withoutExemplars().register(metrics.registry());
  }

  ServerMetrics server() {
    return metrics;
  }

  /** Counts a gRPC call now and its status when the response ends; calls of unknown methods are not counted. */
  void grpc(HttpServerRequest request) {
    Method method = byPath.get(request.path());
    if (method == null) {
      return;
    }
    method.started().inc();
    HttpServerResponse response = request.response();
    response.endHandler(v -> method.handled()[code(response)].inc());
  }

  /** Times an HTTP request until its response ends. */
  void http(HttpServerRequest request) {
    long start = System.nanoTime();
    DistributionDataPoint route = byRoute.computeIfAbsent(route(request.path()),
        r -> durations.labelValues(r));
    request.response().endHandler(v -> route.observe((System.nanoTime() - start) / 1e9));
  }

  /** A bounded label: the canonical gateway path, a health or info path, or "other". */
  private static String route(String path) {
    if (path == null) {
      return OTHER;
    }
    if (GatewayRoutes.methodFor(path) != null) {
      return GatewayRoutes.canonical(path);
    }
    if (OTHER_ROUTES.contains(path)) {
      return path;
    }
    for (String root : List.of("/livez/", "/readyz/")) {
      if (path.startsWith(root)) {
        return root + "*";
      }
    }
    return OTHER;
  }

  private static int code(HttpServerResponse response) {
    String status = response.trailers().get("grpc-status");
    if (status == null) {
      status = response.headers().get("grpc-status"); // a trailers-only answer
    }
    if (status == null) {
      return CANCELED; // reset before a status was sent
    }
    try {
      int code = Integer.parseInt(status);
      return code >= 0 && code < CODES.length ? code : 2;
    } catch (NumberFormatException e) {
      return 2; // Unknown
    }
  }
}
