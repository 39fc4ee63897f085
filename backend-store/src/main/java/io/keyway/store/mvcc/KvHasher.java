package io.keyway.store.mvcc;

import io.keyway.store.KvHash;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Hashes stored revisions the way etcd's HashByRev selects them: every revision up to {@code revision}, except
 * revisions at or below the compaction revision that the compaction made unreachable (they may or may not
 * still be on disk, depending on how far the background deletion got) and a tombstone at exactly the
 * compaction revision (older etcd versions delete it, newer keep it). Feed it revision keys in key order.
 */
public final class KvHasher {
  private static final byte[] KEY_SPACE = "key".getBytes(StandardCharsets.UTF_8);

  private final CRC32C crc = new CRC32C();
  private final long compactRevision;
  private final long revision;
  private final Set<Revision> kept;

  /**
   * @param compactRevision the store's compaction revision, 0 or below when it was never compacted
   * @param kept the revisions at or below {@code compactRevision} that are still reachable
   */
  public KvHasher(long compactRevision, long revision, Set<Revision> kept) {
    this.compactRevision = Math.max(0, compactRevision);
    this.revision = revision;
    this.kept = kept;
    crc.update(KEY_SPACE);
  }

  /** Hashes one stored revision (key as stored, value the serialized KeyValue) if it belongs to the hash. */
  public void write(byte[] key, byte[] value) {
    Revision rev = Revision.fromKey(key);
    if (rev.main() > revision) {
      return;
    }
    // at or below the compaction only the puts visible at it stay reachable; tombstones there are either
    // dropped or (exactly at the compaction revision) kept by some versions only
    if (compactRevision > 0 && rev.main() <= compactRevision
        && (Revision.isTombstoneKey(key) || !kept.contains(rev))) {
      return;
    }
    crc.update(key);
    crc.update(value);
  }

  /** The revision the hash covers. */
  public long revision() {
    return revision;
  }

  public KvHash result(long currentRevision) {
    return new KvHash(crc.getValue(), compactRevision, revision, currentRevision);
  }
}
