package io.keyway.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/** Keys and values as the JSON gateway wants them (standard base64). */
final class Payloads {
  private Payloads() {}

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  /** {@code size} printable random bytes, the same for a given seed. */
  static byte[] value(int size, long seed) {
    Random r = new Random(seed);
    byte[] v = new byte[size];
    for (int i = 0; i < size; i++) {
      v[i] = (byte) ('a' + r.nextInt(26));
    }
    return v;
  }

  /** The writer's send stamp, carried as the put value of a watch benchmark. */
  static String stampValue(long nanoTime) {
    return b64(Long.toString(nanoTime));
  }

  /**
   * Pulls (mod_revision, stamp) pairs out of one watch message without a JSON parser: with 10 000 sockets the
   * driver must not spend its CPU on parsing. Each kv prints mod_revision before value (field-number order).
   * Returns the number of pairs found; {@code sink} gets each of them.
   */
  static int scanEvents(String message, EventSink sink) {
    int found = 0;
    int at = 0;
    while (true) {
      int rev = message.indexOf("\"mod_revision\":\"", at);
      if (rev < 0) {
        return found;
      }
      rev += 16;
      int revEnd = message.indexOf('"', rev);
      long revision = Long.parseLong(message, rev, revEnd, 10);
      int val = message.indexOf("\"value\":\"", revEnd);
      if (val < 0) {
        sink.event(revision, -1);
        return found + 1;
      }
      val += 9;
      int valEnd = message.indexOf('"', val);
      long stamp;
      try {
        stamp = Long.parseLong(new String(Base64.getDecoder().decode(message.substring(val, valEnd)),
            StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        stamp = -1;
      }
      sink.event(revision, stamp);
      found++;
      at = valEnd;
    }
  }

  /** Receives one event found by {@link #scanEvents}; stamp is -1 when the value is not a stamp. */
  interface EventSink {
    void event(long modRevision, long stamp);
  }
}
