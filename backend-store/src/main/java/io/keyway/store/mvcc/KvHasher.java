package io.keyway.store.mvcc;

import io.keyway.store.KvHash;
import io.keyway.store.index.KeyIndex;
import io.keyway.store.index.TreeIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * etcd's HashKV (mvcc {@code hashByRev}, identical in 3.4 and 3.5): a CRC-32C over the bucket name {@code key}
 * and then, in revision order, each selected revision's etcd bucket key and stored KeyValue, as etcd's bbolt
 * holds them ({@link EtcdKeyBucket}). Every revision above the compaction revision up to {@code revision} is
 * selected. At or below the compaction revision etcd hashes what its bucket holds once compaction finished —
 * the put each key had at the compaction revision — but only those still current at {@code revision}
 * (its {@code kvindex.Keep(revision)}), unless no key exists at {@code revision}: an empty keep set filters
 * nothing. Tombstones at or below the compaction revision never count (older etcd deletes the one at exactly
 * the compaction revision, newer keeps it on disk but leaves it out of the hash).
 *
 * <p>Keyway's disk may still hold revisions its physical compaction has yet to delete; the selection above
 * depends only on the index, so the hash does not depend on that progress. Feed revisions in key order.
 */
public final class KvHasher {
  private static final Revision[] NONE = new Revision[0];

  private final CRC32C crc = new CRC32C();
  private final long compactRevision;
  private final long revision;
  /** The revisions at or below the compaction revision to hash, ascending. */
  private final Revision[] kept;

  /**
   * @param compactRevision etcd's compactMainRev: the compaction revision, -1 when never compacted
   * @param revision the revision to hash up to (negative: nothing, as etcd)
   * @param kept the revisions at or below {@code compactRevision} to hash, in any order
   */
  public KvHasher(long compactRevision, long revision, List<Revision> kept) {
    this.compactRevision = compactRevision;
    this.revision = revision;
    this.kept = kept.toArray(NONE);
    Arrays.sort(this.kept);
    crc.update(EtcdKeyBucket.NAME.asReadOnlyByteBuffer());
  }

  /**
   * A hasher for the store whose index is {@code index}, at {@code revision}. The caller holds the lock that
   * keeps the index and the compaction revision still, and scans a disk snapshot taken under the same lock.
   */
  public static KvHasher of(TreeIndex index, long compactRevision, long revision) {
    List<Revision> kept = new ArrayList<>();
    if (compactRevision > 0) {
      boolean anyLive = false;
      for (KeyIndex ki : index.all()) {
        Revision r = ki.visibleAt(revision);
        if (r != null) {
          anyLive = true;
          if (r.main() <= compactRevision) {
            kept.add(r);
          }
        }
      }
      if (!anyLive) {
        for (KeyIndex ki : index.all()) {
          Revision r = ki.visibleAt(compactRevision);
          if (r != null) {
            kept.add(r);
          }
        }
      }
    }
    return new KvHasher(compactRevision, revision, kept);
  }

  /** The first Keyway revision key past the hashed range, or null when nothing is hashed. */
  public byte[] scanEnd() {
    return revision < 0 ? null : Revision.firstKeyOf(revision + 1);
  }

  /** Hashes one stored revision (Keyway's revision key and stored KeyValue) if etcd's hash selects it. */
  public void write(byte[] key, byte[] value) {
    Revision rev = Revision.fromKey(key);
    boolean tombstone = Revision.isTombstoneKey(key);
    if (rev.main() > revision) {
      return;
    }
    if (rev.main() <= compactRevision && (tombstone || Arrays.binarySearch(kept, rev) < 0)) {
      return;
    }
    crc.update(EtcdKeyBucket.revisionKey(rev, tombstone));
    // a put's stored KeyValue is the fields etcd sets, so the same bytes as gogo's
    crc.update(EtcdKeyBucket.etcdValue(value, tombstone));
  }

  /** The revision the hash covers. */
  public long revision() {
    return revision;
  }

  public KvHash result(long currentRevision) {
    return new KvHash(crc.getValue(), compactRevision, revision, currentRevision);
  }
}
