package io.keyway.gateway.v2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Form values as Go's {@code Request.ParseForm} collects them: the urlencoded body of a POST, PUT or PATCH first,
 * then the query string; the first value of a name is the one that counts. Malformed input raises Go's error text.
 */
final class GoForm {
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /** @param body the urlencoded body, or null when it is not one (no such Content-Type, or not that method) */
  static GoForm parse(String body, String query) throws Malformed {
    GoForm form = new GoForm();
    Malformed first = null;
    for (String source : new String[] {body, query}) {
      if (source == null) {
        continue;
      }
      try {
        form.add(source);
      } catch (Malformed e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return form;
  }

  private void add(String s) throws Malformed {
    Malformed first = null;
    for (String pair : s.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      if (pair.contains(";")) {
        first = first != null ? first : new Malformed("invalid semicolon separator in query");
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        values.computeIfAbsent(unescape(k), x -> new ArrayList<>()).add(unescape(v));
      } catch (Malformed e) {
        first = first != null ? first : e;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Go's QueryUnescape: {@code +} is a space, {@code %XX} a byte; anything else malformed is an error. */
  static String unescape(String s) throws Malformed {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '%') {
        if (i + 2 >= bytes.length || hex(bytes[i + 1]) < 0 || hex(bytes[i + 2]) < 0) {
          String bad = new String(bytes, i, Math.min(3, bytes.length - i), StandardCharsets.UTF_8);
          throw new Malformed("invalid URL escape \"" + bad + "\"");
        }
        out.write(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
        i += 2;
      } else if (b == '+') {
        out.write(' ');
      } else {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The first value, or "" (Go's FormValue). */
  String value(String name) {
    List<String> v = values.get(name);
    return v == null || v.isEmpty() ? "" : v.get(0);
  }

  /** Go's strconv.ParseBool of the first value; false when absent. */
  boolean bool(String name, int code, String cause) {
    if (!has(name)) {
      return false;
    }
    return switch (value(name)) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw V2Error.request(code, cause);
    };
  }

  /** Go's strconv.ParseUint(v, 10, 64) of the first value; 0 when absent. */
  long uint64(String name, int code, String cause) {
    if (!has(name)) {
      return 0;
    }
    String v = value(name);
    if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw V2Error.request(code, cause);
    }
    try {
      long n = Long.parseUnsignedLong(v);
      return n < 0 ? Long.MAX_VALUE : n; // past 2^63: as good as infinite here
    } catch (NumberFormatException e) {
      throw V2Error.request(code, cause);
    }
  }
}
