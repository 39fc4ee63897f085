package io.keyway.gateway.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Responses shaped like Go's net/http helpers, which etcd's non-gateway endpoints and routing errors use. */
final class GoHttp {
  private GoHttp() {}

  static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
  static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");
  static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence NOSNIFF_NAME = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence ALLOW = HttpHeaders.createOptimized("Allow");

  /** Go's {@code http.Error}: plain text, nosniff, the message plus a newline. */
  static void error(HttpServerResponse response, int status, String message) {
    MultiMap headers = response.headers();
    headers.set(CONTENT_TYPE, TEXT_PLAIN);
    headers.set(NOSNIFF_NAME, NOSNIFF);
    response.setStatusCode(status).end(message + "\n");
  }

  /** A body Go's server sniffs as text: etcd writes /health's JSON without a Content-Type. */
  static void sniffedText(HttpServerResponse response, int status, String body) {
    response.headers().set(CONTENT_TYPE, TEXT_PLAIN);
    response.setStatusCode(status).end(body);
  }

  /** text/plain with nosniff, as etcd's /livez and /readyz answer. */
  static void text(HttpServerResponse response, int status, String body) {
    MultiMap headers = response.headers();
    headers.set(CONTENT_TYPE, TEXT_PLAIN);
    headers.set(NOSNIFF_NAME, NOSNIFF);
    response.setStatusCode(status).end(body);
  }

  static void notFound(HttpServerResponse response) {
    error(response, 404, "404 page not found");
  }

  /** etcd's basic endpoints only answer GET. */
  static void onlyGet(HttpServerResponse response) {
    response.headers().set(ALLOW, "GET");
    error(response, 405, "Method Not Allowed");
  }
}
