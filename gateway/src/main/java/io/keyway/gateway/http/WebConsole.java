package io.keyway.gateway.http;

import io.keyway.raft.MemberView;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The web console: static ES modules under {@code /ui/} (copied into the jar from the gateway's resources) that
 * talk to the member through its ordinary JSON gateway with the user's token, so the console adds no route of its
 * own and nothing that bypasses auth. Browsers that open {@code /} are sent to it; API clients get etcd's 404 there
 * as before. Every answer carries a Content-Security-Policy without inline scripts, so a value that looks like
 * markup can never run even if a bug rendered it as HTML.
 */
final class WebConsole {
  static final String PREFIX = "/ui/";
  private static final String RESOURCES = "/io/keyway/gateway/web/ui/";
  /** Every file of the console; a missing one is a broken build, found at start. */
  static final List<String> FILES = List.of("index.html", "console.css", "app.js", "dom.js", "session.js",
      "browser.js", "keypage.js", "values.js", "diff.js", "watcher.js", "watchpanel.js", "cluster.js");
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");
  private static final CharSequence CSP = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence NOSNIFF_NAME = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence REFERRER_NAME = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence FRAME_NAME = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");

  private record Asset(String contentType, Buffer body) {}

  private final Map<String, Asset> assets;
  private final MemberView view;

  private WebConsole(Map<String, Asset> assets, MemberView view) {
    this.assets = assets;
    this.view = view;
  }

  /** @param view the cluster's members, whose client URLs the console may call for their status */
  static WebConsole load(MemberView view) {
    Map<String, Asset> assets = new LinkedHashMap<>();
    for (String file : FILES) {
      try (InputStream in = WebConsole.class.getResourceAsStream(RESOURCES + file)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCES + file + " is missing from the jar");
        }
        String type = TYPES.get(file.substring(file.lastIndexOf('.') + 1));
        assets.put(file, new Asset(type, Buffer.buffer(in.readAllBytes())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new WebConsole(assets, view);
  }

  /** Answers the console's paths; false for any other path (and for {@code /} when no browser asks). */
  boolean serve(String path, RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (path.equals("/")) {
      if (request.method() != HttpMethod.GET || !acceptsHtml(request.getHeader(HttpHeaders.ACCEPT))) {
        return false;
      }
      // relative, so a reverse proxy that mounts the member under a path prefix keeps it
      found(ctx.response(), "ui/");
      return true;
    }
    if (path.equals("/ui")) {
      GoHttp.movedPermanently(request, ctx.response(), "ui/"); // Go's ServeMux for a subtree without its slash
      return true;
    }
    if (!path.startsWith(PREFIX)) {
      return false;
    }
    String file = path.substring(PREFIX.length());
    Asset asset = assets.get(file.isEmpty() ? "index.html" : file);
    if (asset == null) {
      GoHttp.notFound(ctx.response());
      return true;
    }
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      GoHttp.onlyGet(ctx.response());
      return true;
    }
    HttpServerResponse response = ctx.response();
    response.headers().set(GoHttp.CONTENT_TYPE, asset.contentType()).set(CACHE_CONTROL, NO_CACHE)
        .set(CSP, policy()).set(NOSNIFF_NAME, NOSNIFF).set(REFERRER_NAME, NO_REFERRER).set(FRAME_NAME, DENY);
    if (request.method() == HttpMethod.HEAD) {
      response.headers().set(HttpHeaders.CONTENT_LENGTH, Integer.toString(asset.body().length()));
      response.end();
    } else {
      response.end(asset.body());
    }
    return true;
  }

  /** Browsers navigating to a page list text/html; curl, etcdctl and the client libraries do not. */
  static boolean acceptsHtml(String accept) {
    if (accept == null) {
      return false;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
      if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
        return quality(parts) > 0;
      }
    }
    return false;
  }

  /** The q parameter of a media range (1 when absent or unreadable). */
  private static double quality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.startsWith("q=") || p.startsWith("Q=")) {
        try {
          return Double.parseDouble(p.substring(2));
        } catch (NumberFormatException e) {
          return 1;
        }
      }
    }
    return 1;
  }

  private static void found(HttpServerResponse response, String location) {
    response.headers().set(LOCATION, location).set(GoHttp.CONTENT_TYPE, "text/html; charset=utf-8");
    response.setStatusCode(302).end("<a href=\"" + location + "\">Found</a>.\n\n");
  }

  /**
   * Scripts, styles and images only from the member itself (no inline script, no eval); calls to this origin and
   * to the members' advertised client URLs (the cluster view asks each member for its status); no framing.
   */
  String policy() {
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'"
        + memberOrigins() + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  }

  private String memberOrigins() {
    Set<String> origins = new LinkedHashSet<>();
    view.members().forEach(m -> m.getClientURLsList().forEach(url -> {
      String origin = origin(url);
      if (origin != null) {
        origins.add(origin);
      }
    }));
    StringBuilder sb = new StringBuilder();
    origins.forEach(o -> sb.append(' ').append(o));
    return sb.toString();
  }

  /** scheme://host:port of an advertised URL, or null for anything that is not a plain http(s) URL. */
  static String origin(String url) {
    try {
      URI u = new URI(url);
      String scheme = u.getScheme();
      if (u.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
        return null;
      }
      String host = u.getHost();
      if (!host.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
        return null; // a policy source cannot carry anything else, and must not break out of the header
      }
      return scheme + "://" + host + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }
}
