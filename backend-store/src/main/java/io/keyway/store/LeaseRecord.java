package io.keyway.store;

import java.nio.ByteBuffer;

/**
 * A granted lease as the store keeps it durably (etcd's {@code leasepb.Lease} in its {@code lease} bucket):
 * the id, the granted TTL and the last checkpointed remaining TTL (etcd's {@code RemainingTTL}, 0 = none, the
 * full TTL applies). Expiry clocks are deliberately absent: they live in the leader's memory only.
 *
 * <p>Encoding: key = id as 8 bytes big-endian; value = TTL as 8 bytes big-endian, followed by the remaining
 * TTL as 8 bytes big-endian when it is set. Readers accept longer values (later fields are appended), and a
 * record without a checkpoint keeps the original 8-byte form.
 */
public record LeaseRecord(long id, long ttl, long remainingTtl) {

  public LeaseRecord(long id, long ttl) {
    this(id, ttl, 0);
  }

  public byte[] key() {
    return idKey(id);
  }

  public byte[] value() {
    if (remainingTtl == 0) {
      return ByteBuffer.allocate(8).putLong(ttl).array();
    }
    return ByteBuffer.allocate(16).putLong(ttl).putLong(remainingTtl).array();
  }

  public LeaseRecord withRemainingTtl(long remaining) {
    return new LeaseRecord(id, ttl, remaining);
  }

  public static byte[] idKey(long id) {
    return ByteBuffer.allocate(8).putLong(id).array();
  }

  public static LeaseRecord decode(byte[] key, byte[] value) {
    if (key.length != 8 || value.length < 8) {
      throw new StoreFailedException("corrupt lease record (key " + key.length + " bytes, value "
          + value.length + " bytes)");
    }
    ByteBuffer v = ByteBuffer.wrap(value);
    long ttl = v.getLong();
    long remaining = v.remaining() >= 8 ? v.getLong() : 0;
    return new LeaseRecord(ByteBuffer.wrap(key).getLong(), ttl, remaining);
  }
}
