package io.keyway.store;

import java.nio.ByteBuffer;

/**
 * A granted lease as the store keeps it durably (etcd's {@code leasepb.Lease} in its {@code lease} bucket):
 * the id and the granted TTL. Expiry clocks are deliberately absent: they live in the leader's memory only.
 *
 * <p>Encoding: key = id as 8 bytes big-endian; value = TTL as 8 bytes big-endian. Later fields (e.g. a
 * checkpointed remaining TTL) are appended, so readers accept longer values.
 */
public record LeaseRecord(long id, long ttl) {

  public byte[] key() {
    return idKey(id);
  }

  public byte[] value() {
    return ByteBuffer.allocate(8).putLong(ttl).array();
  }

  public static byte[] idKey(long id) {
    return ByteBuffer.allocate(8).putLong(id).array();
  }

  public static LeaseRecord decode(byte[] key, byte[] value) {
    if (key.length != 8 || value.length < 8) {
      throw new StoreFailedException("corrupt lease record (key " + key.length + " bytes, value "
          + value.length + " bytes)");
    }
    return new LeaseRecord(ByteBuffer.wrap(key).getLong(), ByteBuffer.wrap(value).getLong());
  }
}
