package io.keyway.gateway.v2;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A v2 TTL is a v3 lease of its own per node, and the lease's id carries the node's expiration time: bits 62..61
 * are {@code 10}, bits 60..20 the expiration in centiseconds since the epoch, bits 19..0 random. Any member can so
 * render {@code expiration} and {@code ttl} from the key alone, in reads, watch events and history, without asking
 * the leader's lessor; the lessor still decides when the key goes (at that time, or later if the lease was raised
 * to the minimum TTL or extended by a leader change).
 */
final class TtlLeases {
  private static final long MARK = 1L << 62;
  private static final long CENTIS_MASK = (1L << 41) - 1;

  private TtlLeases() {}

  static long newId(long expireMillis) {
    long centis = Math.min(CENTIS_MASK, Math.max(0, (expireMillis + 9) / 10));
    return MARK | (centis << 20) | ThreadLocalRandom.current().nextLong(1, 1 << 20);
  }

  /** The expiration a v2 lease id carries; null for 0 or a lease a v3 client made. */
  static Instant expiration(long leaseId) {
    if (leaseId <= 0 || (leaseId >>> 61) != 2) {
      return null;
    }
    return Instant.ofEpochMilli(((leaseId >>> 20) & CENTIS_MASK) * 10);
  }

  /** etcd's ttl: the remaining time rounded up to whole seconds (0 or less once past). */
  static long ttl(Instant expiration, long nowMillis) {
    long remaining = expiration.toEpochMilli() - nowMillis;
    long ttl = remaining / 1000;
    if (remaining % 1000 > 0) {
      ttl++;
    }
    return ttl;
  }
}
