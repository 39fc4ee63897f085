package io.keyway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/** POSTs JSON to the etcd HTTP gateway over a pool of at most {@code connections} HTTP/1.1 keep-alive connections. */
final class HttpJson implements AutoCloseable {
  private final HttpClientAgent client;
  private final int port;

  HttpJson(Vertx vertx, int port, int connections) {
    this(vertx, port, connections, 10_000);
  }

  HttpJson(Vertx vertx, int port, int connections, int connectTimeoutMillis) {
    this.port = port;
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(connectTimeoutMillis),
        new PoolOptions().setHttp1MaxSize(connections));
  }

  /** The response body of a 200; anything else fails with the status and body. */
  Future<Buffer> post(String path, Buffer body) {
    return post(path, body, 0);
  }

  /** As {@link #post(String, Buffer)}, failing when nothing arrives for {@code idleTimeoutMillis} (0: never). */
  Future<Buffer> post(String path, Buffer body, long idleTimeoutMillis) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("Content-Type", "application/json");
    if (idleTimeoutMillis > 0) {
      options.setIdleTimeout(idleTimeoutMillis);
    }
    return client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.succeededFuture(b)
            : Future.failedFuture(new IllegalStateException(path + " answered " + resp.statusCode() + " " + b))));
  }

  @Override
  public void close() {
    client.close();
  }
}
