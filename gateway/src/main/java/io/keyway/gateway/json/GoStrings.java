package io.keyway.gateway.json;

import java.nio.charset.StandardCharsets;

/** Go's ways of quoting text, needed to reproduce etcd's error messages and JSON bodies byte for byte. */
public final class GoStrings {
  private GoStrings() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** encoding/json's {@code quoteChar}: how the scanner names an offending byte ('g', '"', '\n'). */
  public static String quoteChar(int b) {
    int c = b & 0xff;
    if (c == '\'') {
      return "'\\''";
    }
    if (c == '"') {
      return "'\"'";
    }
    // Go converts the byte to the rune U+00XX, then strconv.Quote()s it
    String q = quote(String.valueOf((char) c));
    return "'" + q.substring(1, q.length() - 1) + "'";
  }

  /** strconv.Quote of a string (as Go's %q prints it). */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    s.codePoints().forEach(cp -> appendQuotedRune(sb, cp));
    return sb.append('"').toString();
  }

  /** %q of a byte slice: bytes that are not valid UTF-8 print as \xNN. */
  public static String quote(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length + 2).append('"');
    int i = 0;
    while (i < bytes.length) {
      int b = bytes[i] & 0xff;
      if (b < 0x80) {
        appendQuotedRune(sb, b);
        i++;
        continue;
      }
      int len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      String decoded = len > 1 && i + len <= bytes.length
          ? new String(bytes, i, len, StandardCharsets.UTF_8) : "\uFFFD";
      if (len == 1 || decoded.indexOf('\uFFFD') >= 0) {
        sb.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
        i++;
      } else {
        appendQuotedRune(sb, decoded.codePointAt(0));
        i += len;
      }
    }
    return sb.append('"').toString();
  }

  private static void appendQuotedRune(StringBuilder sb, int cp) {
    switch (cp) {
      case '"' -> sb.append("\\\"");
      case '\\' -> sb.append("\\\\");
      case 7 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 0x0b -> sb.append("\\v");
      default -> {
        if (cp < 0x20 || cp == 0x7f) {
          sb.append("\\x").append(HEX[cp >> 4]).append(HEX[cp & 0xf]);
        } else if (cp >= 0x80 && cp <= 0xa0 || cp == 0xad) {
          sb.append(String.format("\\u%04x", cp));
        } else {
          sb.appendCodePoint(cp);
        }
      }
    }
  }

  /**
   * A JSON string literal as Go's encoding/json writes it (HTML-safe: &lt; &gt; &amp; and U+2028/U+2029 are
   * escaped), which is how etcd's gateway prints error messages.
   */
  public static String jsonString(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
