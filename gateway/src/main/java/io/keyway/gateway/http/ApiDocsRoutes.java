package io.keyway.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The HTTP API's documentation, served by every member: {@code GET /openapi.json} is the OpenAPI contract
 * ({@code openapi/keyway-openapi.json}, copied into the jar at build time), and {@code /docs/} is Swagger UI
 * (the pinned {@code org.webjars:swagger-ui}, unpacked into the jar at build time) reading it. Everything is
 * addressed relatively ({@code ../openapi.json}, the contract's server {@code .}), so the pages and "Try it
 * out" work behind a reverse proxy that mounts the member under a path prefix. Keyway's own paths: etcd has
 * none of them.
 */
public final class ApiDocsRoutes {
  static final String CONTRACT_PATH = "/openapi.json";
  static final String DOCS_PATH = "/docs/";
  private static final String WEB = "/io/keyway/gateway/web/";
  private static final CharSequence HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");
  private static final CharSequence JAVASCRIPT = HttpHeaders.createOptimized("text/javascript; charset=utf-8");
  private static final CharSequence CSS = HttpHeaders.createOptimized("text/css; charset=utf-8");
  private static final CharSequence PNG = HttpHeaders.createOptimized("image/png");
  private static final CharSequence TEXT = HttpHeaders.createOptimized("text/plain; charset=utf-8");
  private static final CharSequence CSP_NAME = HttpHeaders.createOptimized("Content-Security-Policy");
  /**
   * No inline script anywhere under /docs/ (the initializer is a file of its own), so scripts may come from this
   * origin only; Swagger UI's icons are data: URIs in its CSS; "Try it out" calls the member (same origin).
   */
  static final CharSequence CSP = HttpHeaders.createOptimized("default-src 'none'; script-src 'self'; "
      + "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; "
      + "form-action 'none'; frame-ancestors 'none'");
  private static final CharSequence NOSNIFF_NAME = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence REFERRER_NAME = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");

  private final ClasspathFile contract;
  /** The files under /docs/ by their name there ("" is the page itself). */
  private final Map<String, ClasspathFile> docs;

  /** False with {@code --enable-ui=false}: no HTML is served, the contract still is (API tools read it). */
  private final boolean pages;

  private ApiDocsRoutes(ClasspathFile contract, Map<String, ClasspathFile> docs, boolean pages) {
    this.contract = contract;
    this.docs = docs;
    this.pages = pages;
  }

  /** Swagger UI and the contract. */
  public static ApiDocsRoutes load() {
    return load(true);
  }

  /**
   * Reads every file once at start: a jar without them is a broken build, not a 404 at run time.
   *
   * @param pages whether Swagger UI is served under {@code /docs/} ({@code --enable-ui})
   */
  public static ApiDocsRoutes load(boolean pages) {
    ClasspathFile page = ClasspathFile.load(WEB + "docs/index.html", HTML);
    return new ApiDocsRoutes(ClasspathFile.load(WEB + "keyway-openapi.json", GoHttp.APPLICATION_JSON), Map.of(
        "", page,
        "index.html", page,
        "keyway-docs.js", ClasspathFile.load(WEB + "docs/keyway-docs.js", JAVASCRIPT),
        "keyway-docs.css", ClasspathFile.load(WEB + "docs/keyway-docs.css", CSS),
        "swagger-ui-bundle.js", ClasspathFile.load(WEB + "docs/swagger-ui-bundle.js", JAVASCRIPT),
        "swagger-ui-bundle.js.LICENSE.txt", ClasspathFile.load(WEB + "docs/swagger-ui-bundle.js.LICENSE.txt", TEXT),
        "swagger-ui.css", ClasspathFile.load(WEB + "docs/swagger-ui.css", CSS),
        "favicon-32x32.png", ClasspathFile.load(WEB + "docs/favicon-32x32.png", PNG),
        "favicon-16x16.png", ClasspathFile.load(WEB + "docs/favicon-16x16.png", PNG)), pages);
  }

  /** Serves the path when it is one of these routes; false leaves it to the other routes. */
  public boolean serve(String path, RoutingContext ctx) {
    if (path.equals(CONTRACT_PATH)) {
      contract.serve(ctx);
      return true;
    }
    if (!pages) {
      return false;
    }
    if (path.equals("/docs")) {
      redirectToDocs(ctx);
      return true;
    }
    if (!path.startsWith(DOCS_PATH)) {
      return false;
    }
    HttpServerResponse response = ctx.response();
    response.headers().set(CSP_NAME, CSP).set(NOSNIFF_NAME, NOSNIFF).set(REFERRER_NAME, NO_REFERRER);
    ClasspathFile file = docs.get(path.substring(DOCS_PATH.length()));
    if (file == null) {
      GoHttp.notFound(response);
    } else {
      file.serve(ctx);
    }
    return true;
  }

  /**
   * {@code /docs} to {@code /docs/}, as Go's ServeMux redirects a subtree without its slash, but with a
   * relative Location ({@code docs/}): behind a proxy that mounts the member at {@code /prefix/}, an absolute
   * {@code /docs/} would leave the prefix.
   */
  private static void redirectToDocs(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      GoHttp.onlyGet(ctx.response());
      return;
    }
    String query = ctx.request().query();
    GoHttp.movedPermanently(ctx.request(), ctx.response(), "docs/" + (query == null ? "" : "?" + query));
  }
}
