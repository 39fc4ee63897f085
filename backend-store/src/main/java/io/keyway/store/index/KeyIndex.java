package io.keyway.store.index;

import com.google.protobuf.ByteString;
import io.keyway.store.mvcc.Revision;
import java.util.Arrays;
import java.util.List;

/**
 * The history of one key: every stored revision of it in ascending order, each either a put or a tombstone.
 * A tombstone ends a generation (an incarnation of the key); the next put starts a new one with version 1.
 *
 * <p>Besides the revisions the index keeps the bookkeeping of the live generation (create revision, version,
 * lease), so a write can compute the next KeyValue without reading the old one from disk. Older versions are
 * read from disk, where each stored KeyValue carries its own bookkeeping.
 *
 * <p>Not thread-safe: the store guards all indexes with its lock.
 */
public final class KeyIndex {
  private final ByteString key;
  private long[] mains = new long[2];
  /** sub-revision shifted left by one; the low bit marks a tombstone. */
  private long[] subs = new long[2];
  private int size;
  private long createRevision;
  private long version;
  private long lease;

  KeyIndex(ByteString key) {
    this.key = key;
  }

  public ByteString key() { return key; }

  /** True when the newest entry is a put, i.e. the key exists at the newest revision. */
  public boolean isLive() {
    return size > 0 && !tombAt(size - 1);
  }

  public boolean isEmpty() { return size == 0; }

  /** Create revision of the live generation (0 when not live). */
  public long createRevision() { return isLive() ? createRevision : 0; }

  /** Version of the live generation (0 when not live). */
  public long version() { return isLive() ? version : 0; }

  /** Lease of the live generation (0 when not live or not leased). */
  public long lease() { return isLive() ? lease : 0; }

  /** The newest entry, or null. */
  public Revision newest() {
    return size == 0 ? null : new Revision(mains[size - 1], subs[size - 1] >>> 1);
  }

  /** The put that is visible at {@code atRev}, or null when the key did not exist then. */
  public Revision visibleAt(long atRev) {
    int i = lastAtOrBelow(atRev);
    if (i < 0 || tombAt(i)) {
      return null;
    }
    return new Revision(mains[i], subs[i] >>> 1);
  }

  /** Appends a put at {@code rev}, continuing the live generation or starting a new one. */
  public void put(Revision rev, long newLease) {
    if (isLive()) {
      version++;
    } else {
      createRevision = rev.main();
      version = 1;
    }
    lease = newLease;
    append(rev, false);
  }

  /** Appends a put whose bookkeeping is already known (rebuilding from disk). */
  public void restorePut(Revision rev, long created, long ver, long leaseId) {
    createRevision = created;
    version = ver;
    lease = leaseId;
    append(rev, false);
  }

  public void tombstone(Revision rev) {
    append(rev, true);
  }

  /**
   * Drops the history a compaction at {@code atRev} makes unreachable: everything below the newest entry
   * at or below {@code atRev}, and that entry too when it is a tombstone older than {@code atRev} (a
   * tombstone at exactly {@code atRev} stays, since the events of revision {@code atRev} remain readable).
   * The storage keys of the dropped entries are added to {@code removed}.
   */
  public void compact(long atRev, List<byte[]> removed) {
    int i = lastAtOrBelow(atRev);
    if (i < 0) {
      return;
    }
    int drop = (tombAt(i) && mains[i] < atRev) ? i + 1 : i;
    if (drop == 0) {
      return;
    }
    for (int j = 0; j < drop; j++) {
      removed.add(new Revision(mains[j], subs[j] >>> 1).toKey(tombAt(j)));
    }
    System.arraycopy(mains, drop, mains, 0, size - drop);
    System.arraycopy(subs, drop, subs, 0, size - drop);
    size -= drop;
  }

  /** Remembers the current state so that a failed write can undo what it appended. */
  public Mark mark() {
    return new Mark(this, size, createRevision, version, lease);
  }

  /** Undo information; see {@link #mark()}. */
  public record Mark(KeyIndex index, int size, long createRevision, long version, long lease) {
    public void restore() {
      index.size = size;
      index.createRevision = createRevision;
      index.version = version;
      index.lease = lease;
    }
  }

  private void append(Revision rev, boolean tombstone) {
    if (size > 0) {
      Revision last = newest();
      if (rev.compareTo(last) <= 0) {
        throw new IllegalStateException("revision " + rev + " not after " + last + " for key " + key);
      }
    }
    if (size == mains.length) {
      mains = Arrays.copyOf(mains, size * 2);
      subs = Arrays.copyOf(subs, size * 2);
    }
    mains[size] = rev.main();
    subs[size] = (rev.sub() << 1) | (tombstone ? 1 : 0);
    size++;
  }

  private boolean tombAt(int i) {
    return (subs[i] & 1) != 0;
  }

  /** Index of the newest entry with main revision <= atRev, or -1. */
  private int lastAtOrBelow(long atRev) {
    int lo = 0;
    int hi = size - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (mains[mid] <= atRev) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(key.toStringUtf8()).append(':');
    for (int i = 0; i < size; i++) {
      sb.append(' ').append(mains[i]).append('.').append(subs[i] >>> 1).append(tombAt(i) ? "t" : "");
    }
    return sb.toString();
  }
}
