package io.keyway.gateway.v2;

import io.vertx.core.http.HttpServerResponse;

/** Go net/http's plain answers, as etcd's v2 handlers give them. */
final class V2Http {
  private V2Http() {}

  /** etcd's allowMethod: 405 with the allowed methods and http.Error's body. */
  static void methodNotAllowed(HttpServerResponse response, String allow) {
    response.putHeader("Allow", allow);
    text(response, 405, "Method Not Allowed\n");
  }

  static void notFound(HttpServerResponse response) {
    text(response, 404, "404 page not found\n");
  }

  static void text(HttpServerResponse response, int status, String body) {
    response.putHeader("Content-Type", "text/plain; charset=utf-8").putHeader("X-Content-Type-Options", "nosniff");
    response.setStatusCode(status).end(body);
  }

  static void json(HttpServerResponse response, int status, String body) {
    response.putHeader("Content-Type", "application/json");
    response.setStatusCode(status).end(body);
  }
}
