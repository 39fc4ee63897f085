package io.keyway.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /keyway.js}: the JavaScript client ({@code clients/js/keyway.js}, copied into the jar at build
 * time) so a page served by anyone can {@code import} it from the member it talks to. etcd has no such path;
 * the library works against etcd too when loaded from elsewhere.
 */
final class ClientLibrary {
  static final String PATH = "/keyway.js";
  private static final String RESOURCE = "/io/keyway/gateway/web/keyway.js";
  private static final CharSequence JAVASCRIPT = HttpHeaders.createOptimized("text/javascript; charset=utf-8");
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
  /** A member upgrade may bring a new library: browsers revalidate rather than keep a stale copy. */
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

  private final Buffer body;

  private ClientLibrary(Buffer body) {
    this.body = body;
  }

  /** Read once at start: a jar without the file is a broken build, not a 404 at run time. */
  static ClientLibrary load() {
    try (InputStream in = ClientLibrary.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar (built without clients/js?)");
      }
      return new ClientLibrary(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void serve(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      GoHttp.onlyGet(ctx.response());
      return;
    }
    HttpServerResponse response = ctx.response();
    response.headers().set(GoHttp.CONTENT_TYPE, JAVASCRIPT).set(CACHE_CONTROL, NO_CACHE);
    if (method == HttpMethod.HEAD) {
      response.headers().set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
      response.end();
    } else {
      response.end(body);
    }
  }
}
