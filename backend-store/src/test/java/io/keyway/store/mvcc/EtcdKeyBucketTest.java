package io.keyway.store.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.protobuf.ByteString;
import io.keyway.api.mvccpb.KeyValue;
import org.junit.jupiter.api.Test;

class EtcdKeyBucketTest {

  @Test
  void revisionKeysAreMainSeparatorSubBigEndianWithTheTombstoneMarkLast() {
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 1, 2, '_', 0, 0, 0, 0, 0, 0, 0, 3},
        EtcdKeyBucket.revisionKey(new Revision(258, 3), false));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 9, '_', 0, 0, 0, 0, 0, 0, 0, 0, 't'},
        EtcdKeyBucket.revisionKey(new Revision(9, 0), true));
  }

  @Test
  void tombstonesCarryTheKeyOnly() {
    assertArrayEquals(new byte[] {0x0a, 2, 'k', '1'}, EtcdKeyBucket.tombstoneValue(ByteString.copyFromUtf8("k1")));
  }

  /** gogo's Marshal of etcd's put: fields in number order, zero values left out, int64 as varint. */
  @Test
  void aStoredPutIsEncodedAsEtcdEncodesIt() {
    KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k2")).setCreateRevision(3)
        .setModRevision(300).setVersion(2).setValue(ByteString.copyFromUtf8("x")).setLease(7).build();
    assertArrayEquals(new byte[] {0x0a, 2, 'k', '2', 0x10, 3, 0x18, (byte) 0xac, 0x02, 0x20, 2, 0x2a, 1, 'x', 0x30, 7},
        kv.toByteArray());
    KeyValue emptyValue = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k")).setCreateRevision(1)
        .setModRevision(1).setVersion(1).build();
    assertArrayEquals(new byte[] {0x0a, 1, 'k', 0x10, 1, 0x18, 1, 0x20, 1}, emptyValue.toByteArray());
  }
}
