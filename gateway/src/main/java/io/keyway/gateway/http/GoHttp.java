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
  private static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");
  private static final CharSequence TEXT_HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");

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

  /**
   * Go's {@code http.Redirect} with 301, as its ServeMux redirects: a Location, and only for GET a short HTML
   * body (for HEAD the Content-Type alone).
   */
  static void movedPermanently(io.vertx.core.http.HttpServerRequest request, HttpServerResponse response,
      String location) {
    response.headers().set(LOCATION, location);
    io.vertx.core.http.HttpMethod method = request.method();
    boolean get = method == io.vertx.core.http.HttpMethod.GET;
    if (get || method == io.vertx.core.http.HttpMethod.HEAD) {
      response.headers().set(CONTENT_TYPE, TEXT_HTML);
    }
    String href = location.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
        .replace("'", "&#39;");
    response.setStatusCode(301).end(get ? "<a href=\"" + href + "\">Moved Permanently</a>.\n\n" : "");
  }

  /** etcd's basic endpoints only answer GET. */
  static void onlyGet(HttpServerResponse response) {
    response.headers().set(ALLOW, "GET");
    error(response, 405, "Method Not Allowed");
  }
}
