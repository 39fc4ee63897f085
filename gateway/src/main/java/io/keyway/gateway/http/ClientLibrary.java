package io.keyway.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /keyway.js}: the JavaScript client ({@code clients/js/keyway.js}, copied into the jar at build
 * time) so a page served by anyone can {@code import} it from the member it talks to. etcd has no such path;
 * the library works against etcd too when loaded from elsewhere.
 */
final class ClientLibrary {
  static final String PATH = "/keyway.js";
  private static final String RESOURCE = "/io/keyway/gateway/web/keyway.js";
  private static final CharSequence JAVASCRIPT = HttpHeaders.createOptimized("text/javascript; charset=utf-8");

  private final ClasspathFile file;

  private ClientLibrary(ClasspathFile file) {
    this.file = file;
  }

  /** Read once at start: a jar without the file is a broken build, not a 404 at run time. */
  static ClientLibrary load() {
    return new ClientLibrary(ClasspathFile.load(RESOURCE, JAVASCRIPT));
  }

  void serve(RoutingContext ctx) {
    file.serve(ctx);
  }
}
