package io.keyway.gateway.json;

import java.io.ByteArrayOutputStream;

/**
 * Go's {@code base64.StdEncoding.Decode}, which is what encoding/json applies to []byte fields: standard
 * alphabet, padding required, CR and LF skipped, and failures reported as
 * "illegal base64 data at input byte N" with Go's offsets. Java's decoders differ in all of these.
 */
public final class GoBase64 {
  private GoBase64() {}

  private static final byte[] DECODE = new byte[256];

  static {
    java.util.Arrays.fill(DECODE, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      DECODE[alphabet.charAt(i)] = (byte) i;
    }
  }

  public static byte[] decode(byte[] src) {
    byte[] plain = decodeWellFormed(src);
    return plain != null ? plain : decodeAnyInput(src);
  }

  /**
   * The common case in one pass: whole quanta of the alphabet, padding only at the very end, no line breaks.
   * Returns null for anything else, which {@link #decodeAnyInput} then decodes or rejects with Go's offsets.
   */
  static byte[] decodeWellFormed(byte[] src) {
    int n = src.length;
    if (n % 4 != 0) {
      return null;
    }
    if (n == 0) {
      return new byte[0];
    }
    int pad = src[n - 1] == '=' ? (src[n - 2] == '=' ? 2 : 1) : 0;
    byte[] out = new byte[n / 4 * 3 - pad];
    int full = pad == 0 ? n : n - 4;
    int o = 0;
    for (int i = 0; i < full; i += 4) {
      int a = DECODE[src[i] & 0xff];
      int b = DECODE[src[i + 1] & 0xff];
      int c = DECODE[src[i + 2] & 0xff];
      int d = DECODE[src[i + 3] & 0xff];
      if ((a | b | c | d) < 0) {
        return null;
      }
      int val = a << 18 | b << 12 | c << 6 | d;
      out[o++] = (byte) (val >> 16);
      out[o++] = (byte) (val >> 8);
      out[o++] = (byte) val;
    }
    if (pad > 0) {
      int a = DECODE[src[n - 4] & 0xff];
      int b = DECODE[src[n - 3] & 0xff];
      int c = pad == 1 ? DECODE[src[n - 2] & 0xff] : 0;
      if ((a | b | c) < 0) {
        return null;
      }
      int val = a << 18 | b << 12 | c << 6;
      out[o++] = (byte) (val >> 16);
      if (pad == 1) {
        out[o] = (byte) (val >> 8);
      }
    }
    return out;
  }

  /** Go's decoder step by step: line breaks skipped, padding checked, the first bad byte reported. */
  static byte[] decodeAnyInput(byte[] src) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(src.length * 3 / 4);
    int si = 0;
    while (si < src.length) {
      int[] quantum = new int[4];
      int dlen = 4;
      int j = 0;
      boolean end = false;
      while (j < 4) {
        if (si == src.length) {
          if (j == 0) {
            return out.toByteArray();
          }
          throw corrupt(si - j); // padding is mandatory in StdEncoding
        }
        int in = src[si] & 0xff;
        si++;
        int value = DECODE[in];
        if (value >= 0) {
          quantum[j++] = value;
          continue;
        }
        if (in == '\n' || in == '\r') {
          continue;
        }
        if (in != '=') {
          throw corrupt(si - 1);
        }
        // padding: only valid after two or three symbols
        if (j < 2) {
          throw corrupt(si - 1);
        }
        if (j == 2) {
          si = skipNewlines(src, si);
          if (si == src.length) {
            throw corrupt(src.length);
          }
          if (src[si] != '=') {
            throw corrupt(si - 1);
          }
          si++;
        }
        si = skipNewlines(src, si);
        if (si < src.length) {
          throw corrupt(si); // trailing garbage after padding
        }
        dlen = j;
        end = true;
        break;
      }
      int val = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
      out.write(val >> 16);
      if (dlen >= 3) {
        out.write(val >> 8);
      }
      if (dlen == 4) {
        out.write(val);
      }
      if (end) {
        break;
      }
    }
    return out.toByteArray();
  }

  private static int skipNewlines(byte[] src, int si) {
    while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
      si++;
    }
    return si;
  }

  private static JsonDecodeException corrupt(int offset) {
    return new JsonDecodeException("illegal base64 data at input byte " + offset);
  }
}
