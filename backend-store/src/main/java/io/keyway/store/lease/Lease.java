package io.keyway.store.lease;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * One lease in the lessor's memory: its granted TTL, the keys attached to it (learned from the store's
 * lease hooks) and, on the leader only, its expiry clock.
 */
final class Lease {
  /** Expiry of a lease on a member that is not the leader, or not yet promoted: it never expires there. */
  static final long FOREVER = Long.MAX_VALUE;

  final long id;
  /** Granted TTL in seconds, already raised to the minimum TTL. */
  final long ttl;
  private final ConcurrentSkipListSet<ByteString> keys =
      new ConcurrentSkipListSet<>(ByteString.unsignedLexicographicalComparator());
  /** Completed once the lease is revoked (or vanished with a replaced store). */
  final CompletableFuture<Void> revoked = new CompletableFuture<>();
  /** Monotonic milliseconds; {@link #FOREVER} when this member does not run the lease's clock. */
  private volatile long expiry = FOREVER;
  /** When an expired lease may be proposed for revocation again, should the last proposal have been lost. */
  private volatile long nextRevokeAttempt;
  /**
   * Replicated: the last checkpointed remaining TTL in seconds (etcd's remainingTTL), 0 when unset. Changed
   * only on the apply thread (checkpoint entries), read when a clock starts.
   */
  private volatile long remainingTtl;
  /** Leader only: when this lease's remaining TTL is due to be checkpointed; {@link #FOREVER} when not scheduled. */
  private volatile long nextCheckpoint = FOREVER;

  Lease(long id, long ttl) {
    this(id, ttl, 0);
  }

  Lease(long id, long ttl, long remainingTtl) {
    this.id = id;
    this.ttl = ttl;
    this.remainingTtl = remainingTtl;
  }

  long remainingTtl() { return remainingTtl; }

  void checkpointed(long remaining) { this.remainingTtl = remaining; }

  /** What a (re)started clock runs for, in seconds: the checkpointed remaining TTL if any, else the TTL. */
  long clockTtl() {
    long remaining = remainingTtl;
    return remaining > 0 ? remaining : ttl;
  }

  long nextCheckpoint() { return nextCheckpoint; }

  /** Caller holds the lessor's clock lock. */
  void checkpointAt(long at) { this.nextCheckpoint = at; }

  long expiry() { return expiry; }

  /** Caller holds the lessor's clock lock. */
  void expireAt(long at) {
    this.expiry = at;
    this.nextRevokeAttempt = 0;
  }

  long nextRevokeAttempt() { return nextRevokeAttempt; }

  void revokeAttemptedUntil(long at) { this.nextRevokeAttempt = at; }

  boolean expiredAt(long now) {
    return expiry != FOREVER && expiry - now <= 0;
  }

  /** Milliseconds left; {@link Long#MAX_VALUE} when the lease never expires here. */
  long remainingMillis(long now) {
    return expiry == FOREVER ? Long.MAX_VALUE : expiry - now;
  }

  void attach(ByteString key) { keys.add(key); }

  void detach(ByteString key) { keys.remove(key); }

  /** The attached keys in key order (unsigned bytes), as every member deletes them. */
  List<ByteString> keys() { return List.copyOf(keys); }
}
