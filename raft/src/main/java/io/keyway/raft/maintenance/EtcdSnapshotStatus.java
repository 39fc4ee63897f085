package io.keyway.raft.maintenance;

import io.keyway.store.mvcc.EtcdKeyBucket;
import io.keyway.store.bolt.BoltFormatException;
import io.keyway.store.bolt.BoltReader;
import io.keyway.store.mvcc.Revision;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * etcd 3.4's {@code snapshot status} of a bbolt file: a CRC-32C over every top-level bucket's name and its
 * keys and values in order, the main revision of the last key of the {@code key} bucket, the number of keys
 * over all buckets, and the database's size.
 */
final class EtcdSnapshotStatus {
  private EtcdSnapshotStatus() {}

  static SnapshotRestore.Status of(BoltReader db) throws IOException {
    CRC32C crc = new CRC32C();
    long[] revisionAndKeys = {0, 0};
    BoltReader.Bucket root = db.root();
    root.forEach((name, header, isBucket) -> {
      if (!isBucket) {
        throw new BoltFormatException("cannot get hash of bucket " + new String(name));
      }
      crc.update(name);
      boolean keyBucket = Arrays.equals(name, EtcdLayout.KEY);
      root.nested(header).forEach((key, value, nested) -> {
        crc.update(key);
        if (!nested) { // bbolt hands over a nested bucket's key with a nil value
          crc.update(value);
        }
        if (keyBucket) {
          Revision rev = EtcdKeyBucket.revision(key);
          revisionAndKeys[0] = rev == null ? 0 : rev.main();
        }
        revisionAndKeys[1]++;
      });
    });
    return new SnapshotRestore.Status(crc.getValue(), revisionAndKeys[0], revisionAndKeys[1], db.size());
  }
}
