package io.keyway.store.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.store.StoreFailedException;
import java.nio.ByteBuffer;

/**
 * How etcd lays out one revision in its backend's {@code key} bucket, which is what etcd's HashKV and snapshot
 * files are made of. Keyway's own RocksDB layout differs ({@link Revision#toKey}: no separator, tombstones
 * stored with their mod revision), so anything that must be byte-identical to etcd converts through here.
 */
public final class EtcdKeyBucket {
  /** The bucket's name; HashKV hashes it before the first revision. */
  public static final ByteString NAME = ByteString.copyFromUtf8("key");
  /** main (8 bytes big-endian), '_', sub (8 bytes big-endian): etcd's revBytesLen. */
  public static final int REVISION_KEY_BYTES = 17;
  private static final byte SEPARATOR = '_';

  private EtcdKeyBucket() {}

  /** etcd's bucket key of {@code rev}; a deletion carries the tombstone mark {@code 't'} as an 18th byte. */
  public static byte[] revisionKey(Revision rev, boolean tombstone) {
    byte[] out = new byte[tombstone ? REVISION_KEY_BYTES + 1 : REVISION_KEY_BYTES];
    Revision.putLong(out, 0, rev.main());
    out[8] = SEPARATOR;
    Revision.putLong(out, 9, rev.sub());
    if (tombstone) {
      out[REVISION_KEY_BYTES] = Revision.TOMBSTONE_MARK;
    }
    return out;
  }

  /**
   * The value etcd stores for a deletion: a KeyValue with only the key set (Keyway's tombstones also keep the
   * mod revision, which etcd's do not).
   */
  public static byte[] tombstoneValue(ByteString key) {
    return KeyValue.newBuilder().setKey(key).build().toByteArray();
  }

  /** The revision of etcd's bucket key {@code key} (with or without the tombstone mark); null when it is none. */
  public static Revision revision(byte[] key) {
    if (!(key.length == REVISION_KEY_BYTES || isTombstone(key)) || key[8] != SEPARATOR) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(key);
    long main = b.getLong(0);
    long sub = b.getLong(9);
    return main < 0 || sub < 0 ? null : new Revision(main, sub);
  }

  /** Whether etcd's bucket key {@code key} is a deletion's. */
  public static boolean isTombstone(byte[] key) {
    return key.length == REVISION_KEY_BYTES + 1 && key[REVISION_KEY_BYTES] == Revision.TOMBSTONE_MARK;
  }

  /**
   * The bytes etcd holds for a revision Keyway stores as {@code storedKeyValue}: a put's KeyValue is already
   * byte-identical; a deletion's loses the mod revision Keyway keeps.
   */
  public static byte[] etcdValue(byte[] storedKeyValue, boolean tombstone) {
    if (!tombstone) {
      return storedKeyValue;
    }
    try {
      return tombstoneValue(KeyValue.parseFrom(storedKeyValue).getKey());
    } catch (InvalidProtocolBufferException e) {
      throw new StoreFailedException("corrupt KeyValue: " + e.getMessage(), e);
    }
  }
}
