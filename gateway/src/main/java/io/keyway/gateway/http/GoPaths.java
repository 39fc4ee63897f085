package io.keyway.gateway.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Request paths as Go's net/http sees them: etcd's muxes route on the percent-decoded path, and Go's ServeMux
 * answers a path that is not clean (double slashes, dot segments) with a 301 to the cleaned one. Decoded paths
 * are kept one byte per char (ISO-8859-1), as Go strings hold bytes.
 */
final class GoPaths {
  private GoPaths() {}

  /** The decoded path, or null when an escape is malformed (Go's server then answers 400 Bad Request). */
  static String unescape(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b != '%') {
        out.write(b);
        continue;
      }
      if (i + 2 >= bytes.length) {
        return null;
      }
      int hi = Character.digit(bytes[i + 1], 16);
      int lo = Character.digit(bytes[i + 2], 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out.write(hi << 4 | lo);
      i += 2;
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** Go's {@code cleanPath}: {@code path.Clean} with a leading slash, keeping a trailing slash. */
  static String clean(String p) {
    if (p.isEmpty()) {
      return "/";
    }
    if (p.charAt(0) != '/') {
      p = "/" + p;
    }
    if (isClean(p)) {
      return p;
    }
    String np = lexicalClean(p);
    if (p.endsWith("/") && !np.equals("/")) {
      np += "/";
    }
    return np;
  }

  /** A quick test that {@link #clean} would change nothing: no empty, "." or ".." segment before the end. */
  private static boolean isClean(String p) {
    int n = p.length();
    for (int i = 1; i <= n; i++) {
      if (i < n && p.charAt(i) != '/') {
        continue;
      }
      int start = p.lastIndexOf('/', i - 1) + 1; // segment [start, i)
      int len = i - start;
      boolean last = i == n;
      if (len == 0 && !last) {
        return false; // "//"
      }
      if (len == 1 && p.charAt(start) == '.' || len == 2 && p.charAt(start) == '.' && p.charAt(start + 1) == '.') {
        return false;
      }
    }
    return true;
  }

  /** Go's {@code path.Clean} for a rooted path. */
  private static String lexicalClean(String p) {
    java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
    for (String s : p.split("/", -1)) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        segments.pollLast();
        continue;
      }
      segments.addLast(s);
    }
    return "/" + String.join("/", segments);
  }

  /**
   * The Location Go's ServeMux sends: the path escaped as {@code url.URL.EscapedPath} does, then the raw query.
   */
  static String location(String decodedPath, String rawQuery) {
    StringBuilder out = new StringBuilder(decodedPath.length() + 8);
    for (int i = 0; i < decodedPath.length(); i++) {
      char c = decodedPath.charAt(i);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-_.~$&+,/:;=@".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4 & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    if (rawQuery != null && !rawQuery.isEmpty()) {
      out.append('?').append(rawQuery);
    }
    return out.toString();
  }
}
