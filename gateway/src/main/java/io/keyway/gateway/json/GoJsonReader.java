package io.keyway.gateway.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON parser that accepts and rejects exactly what Go's encoding/json does and fails with the same
 * messages ("unexpected EOF", "invalid character 'g' looking for beginning of value", ...), so the HTTP
 * gateway can answer bad input the way etcd's does. Iterative, so hostile nesting cannot exhaust the stack
 * of the event loop thread.
 */
public final class GoJsonReader {
  private static final int MAX_DEPTH = 10_000; // encoding/json's maxNestingDepth

  private final byte[] in;
  private final boolean decoder;
  private int pos;

  private GoJsonReader(byte[] in, boolean decoder) {
    this.in = in;
    this.decoder = decoder;
  }

  /**
   * {@code json.Decoder.Decode} semantics: reads the first value and ignores whatever follows it.
   * Returns null when the input is empty or only whitespace (Go's io.EOF, which the gateway treats as an
   * empty request).
   */
  public static JsonValue decodeFirst(byte[] in) {
    return new GoJsonReader(in, true).parse();
  }

  /** A value read from a stream of concatenated values, and the offset just after it. */
  public record Next(JsonValue value, int end) {}

  /**
   * {@code json.Decoder.Decode} called again on the same stream (the gateway's streaming routes): reads the
   * value that starts at or after offset {@code from}. The value is null at the end of input (only whitespace
   * left). Input that stops inside a value fails with "unexpected EOF", which a reader of a body still arriving
   * can take as "wait for more bytes".
   */
  public static Next decodeNext(byte[] in, int from) {
    GoJsonReader reader = new GoJsonReader(in, true);
    reader.pos = from;
    JsonValue value = reader.parse();
    return new Next(value, reader.pos);
  }

  /** {@code json.Unmarshal} semantics: exactly one value, optionally surrounded by whitespace. */
  public static JsonValue unmarshal(byte[] in) {
    return new GoJsonReader(in, false).parse();
  }

  private abstract static class Frame {
    abstract JsonValue build();
  }

  private static final class ObjFrame extends Frame {
    final Map<String, JsonValue> members = new LinkedHashMap<>();
    String key;

    @Override JsonValue build() { return new JsonValue.Obj(members); }
  }

  private static final class ArrFrame extends Frame {
    final List<JsonValue> elements = new ArrayList<>();

    @Override JsonValue build() { return new JsonValue.Arr(elements); }
  }

  private JsonValue parse() {
    skipSpace();
    if (pos == in.length) {
      if (decoder) {
        return null;
      }
      throw eof(null);
    }
    Deque<Frame> stack = new ArrayDeque<>();
    JsonValue result;
    values:
    while (true) {
      skipSpace();
      requireMore();
      byte c = in[pos];
      JsonValue v;
      if (c == '{' || c == '[') {
        pos++;
        if (stack.size() + 1 > MAX_DEPTH) {
          throw error(c, "exceeded max depth");
        }
        skipSpace();
        requireMore();
        if (c == '{') {
          ObjFrame f = new ObjFrame();
          stack.push(f);
          if (in[pos] != '}') {
            f.key = readKey();
            continue;
          }
        } else {
          stack.push(new ArrFrame());
          if (in[pos] != ']') {
            continue;
          }
        }
        pos++;
        v = stack.pop().build();
      } else {
        v = scalar(c);
      }
      while (true) {
        Frame top = stack.peek();
        if (top == null) {
          result = v;
          break values;
        }
        skipSpace();
        requireMore();
        byte next = in[pos];
        if (top instanceof ObjFrame obj) {
          obj.members.remove(obj.key); // a repeated key keeps the last value but moves to the end
          obj.members.put(obj.key, v);
          if (next == ',') {
            pos++;
            skipSpace();
            requireMore();
            obj.key = readKey();
            continue values;
          }
          if (next != '}') {
            throw error(next, "after object key:value pair");
          }
        } else {
          ((ArrFrame) top).elements.add(v);
          if (next == ',') {
            pos++;
            continue values;
          }
          if (next != ']') {
            throw error(next, "after array element");
          }
        }
        pos++;
        v = stack.pop().build();
      }
    }
    if (!decoder) {
      skipSpace();
      if (pos < in.length) {
        throw error(in[pos], "after top-level value");
      }
    }
    return result;
  }

  private String readKey() {
    byte c = in[pos];
    if (c != '"') {
      throw error(c, "looking for beginning of object key string");
    }
    String key = string().value();
    skipSpace();
    requireMore();
    if (in[pos] != ':') {
      throw error(in[pos], "after object key");
    }
    pos++;
    return key;
  }

  private JsonValue scalar(byte c) {
    return switch (c) {
      case '"' -> string();
      case 't' -> literal("true", JsonValue.Bool.class);
      case 'f' -> literal("false", JsonValue.Bool.class);
      case 'n' -> literal("null", JsonValue.Null.class);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error(c, "looking for beginning of value");
      }
    };
  }

  private JsonValue literal(String word, Class<? extends JsonValue> type) {
    for (int i = 0; i < word.length(); i++, pos++) {
      char expected = word.charAt(i);
      String context = "in literal " + word + " (expecting '" + expected + "')";
      if (pos == in.length) {
        throw eof(context);
      }
      if (in[pos] != expected) {
        throw error(in[pos], context);
      }
    }
    if (type == JsonValue.Null.class) {
      return JsonValue.Null.INSTANCE;
    }
    return new JsonValue.Bool(word.equals("true"));
  }

  private JsonValue number() {
    int start = pos;
    if (in[pos] == '-') {
      pos++;
      digitRequired("in numeric literal");
    }
    if (in[pos] == '0') {
      pos++;
    } else {
      skipDigits();
    }
    if (pos < in.length && in[pos] == '.') {
      pos++;
      digitRequired("after decimal point in numeric literal");
      skipDigits();
    }
    if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      digitRequired("in exponent of numeric literal");
      skipDigits();
    }
    return new JsonValue.Num(new String(in, start, pos - start, StandardCharsets.US_ASCII));
  }

  private void digitRequired(String context) {
    if (pos == in.length) {
      throw eof(context);
    }
    if (!isDigit(in[pos])) {
      throw error(in[pos], context);
    }
  }

  private void skipDigits() {
    while (pos < in.length && isDigit(in[pos])) {
      pos++;
    }
  }

  private JsonValue.Str string() {
    int start = pos;
    // the common string has no escapes and no control characters: take its bytes as they are
    int end = start + 1;
    while (end < in.length) {
      byte c = in[end];
      if (c == '"' || c == '\\' || (c & 0xff) < 0x20) {
        break;
      }
      end++;
    }
    if (end < in.length && in[end] == '"') {
      pos = end + 1;
      return new JsonValue.Str(new String(in, start + 1, end - start - 1, StandardCharsets.UTF_8),
          java.util.Arrays.copyOfRange(in, start, pos));
    }
    pos++;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      requireMore();
      byte c = in[pos];
      if (c == '"') {
        pos++;
        break;
      }
      if (c == '\\') {
        pos++;
        requireMore();
        byte e = in[pos++];
        switch (e) {
          case 'b' -> out.write('\b');
          case 'f' -> out.write('\f');
          case 'n' -> out.write('\n');
          case 'r' -> out.write('\r');
          case 't' -> out.write('\t');
          case '/', '\\', '"' -> out.write(e);
          case 'u' -> writeRune(out, unicodeEscape());
          default -> throw error(e, "in string escape code");
        }
        continue;
      }
      if ((c & 0xff) < 0x20) {
        throw error(c, "in string literal");
      }
      out.write(c);
      pos++;
    }
    byte[] raw = new byte[pos - start];
    System.arraycopy(in, start, raw, 0, raw.length);
    return new JsonValue.Str(new String(out.toByteArray(), StandardCharsets.UTF_8), raw);
  }

  /** Reads XXXX after a backslash-u; joins a valid surrogate pair, as Go's unquote does. */
  private int unicodeEscape() {
    int unit = hex4();
    if (Character.isHighSurrogate((char) unit) && pos + 6 <= in.length && in[pos] == '\\' && in[pos + 1] == 'u') {
      int save = pos;
      pos += 2;
      int low = hex4();
      if (Character.isLowSurrogate((char) low)) {
        return Character.toCodePoint((char) unit, (char) low);
      }
      pos = save;
    }
    return Character.isSurrogate((char) unit) ? 0xFFFD : unit;
  }

  private int hex4() {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      requireMore();
      int d = Character.digit(in[pos], 16);
      if (d < 0) {
        throw error(in[pos], "in \\u hexadecimal character escape");
      }
      v = v * 16 + d;
      pos++;
    }
    return v;
  }

  private static void writeRune(ByteArrayOutputStream out, int cp) {
    byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }

  private void skipSpace() {
    while (pos < in.length) {
      byte c = in[pos];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        return;
      }
      pos++;
    }
  }

  private void requireMore() {
    if (pos == in.length) {
      throw eof(null);
    }
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /**
   * End of input inside a value. The decoder reports io.ErrUnexpectedEOF; Unmarshal feeds the scanner a
   * final space, which names the broken number or literal if there is one.
   */
  private JsonDecodeException eof(String context) {
    if (decoder) {
      return new JsonDecodeException("unexpected EOF");
    }
    if (context != null) {
      return error((byte) ' ', context);
    }
    return new JsonDecodeException("unexpected end of JSON input");
  }

  private static JsonDecodeException error(byte c, String context) {
    return new JsonDecodeException("invalid character " + GoStrings.quoteChar(c) + " " + context);
  }
}
