package io.keyway.gateway.http;

import io.keyway.gateway.metrics.ServerMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** etcd's {@code /metrics}: the Prometheus text format, on the client port and on {@code --listen-metrics-urls}. */
final class MetricsEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

  private MetricsEndpoint() {}

  /** Answers the request; the scrape reads the member's state, so it runs on a worker. */
  static void serve(HttpServerRequest request, ServerMetrics metrics) {
    Vertx.currentContext().owner().executeBlocking(() -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
      metrics.scrape(out);
      return Buffer.buffer(out.toByteArray());
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        request.response().putHeader("Content-Type", ServerMetrics.CONTENT_TYPE).end(ar.result());
      } else {
        LOG.warn("metrics scrape failed: {}", ar.cause().toString());
        request.response().setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8")
            .end("An error has occurred while serving metrics:\n\n" + ar.cause().getMessage() + "\n");
      }
    });
  }
}
