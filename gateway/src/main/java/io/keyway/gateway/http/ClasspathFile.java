package io.keyway.gateway.http;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file the build put into the jar, read once at start and served from memory to GET and HEAD (others get
 * 405), with an ETag so a browser revalidates an unchanged file with a 304 instead of fetching it again.
 */
final class ClasspathFile {
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
  /** A member upgrade may bring new files: browsers revalidate rather than keep a stale copy. */
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence ETAG = HttpHeaders.createOptimized("ETag");
  private static final CharSequence IF_NONE_MATCH = HttpHeaders.createOptimized("If-None-Match");

  private final Buffer body;
  private final CharSequence contentType;
  private final String etag;

  private ClasspathFile(byte[] bytes, CharSequence contentType) {
    this.body = Buffer.buffer(bytes);
    this.contentType = contentType;
    this.etag = "\"" + sha256(bytes).substring(0, 32) + "\"";
  }

  /** A jar without the file is a broken build, not a 404 at run time: this throws. */
  static ClasspathFile load(String resource, CharSequence contentType) {
    try (InputStream in = ClasspathFile.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar (a build step did not run)");
      }
      return new ClasspathFile(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Buffer body() {
    return body;
  }

  /** Serves the file with the response headers already set by the caller (CORS, CSP, ...). */
  void serve(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      GoHttp.onlyGet(ctx.response());
      return;
    }
    HttpServerResponse response = ctx.response();
    MultiMap headers = response.headers();
    headers.set(CACHE_CONTROL, NO_CACHE).set(ETAG, etag);
    if (etag.equals(ctx.request().getHeader(IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    headers.set(GoHttp.CONTENT_TYPE, contentType);
    if (method == HttpMethod.HEAD) {
      headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
      response.end();
    } else {
      response.end(body);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }
}
