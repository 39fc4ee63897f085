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
