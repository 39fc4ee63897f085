package io.keyway.store.mvcc;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.store.index.KeyIndex;
import io.keyway.store.index.TreeIndex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The view one write works on (etcd's storeTxnWrite): reads see the state at the start of the write plus
 * the write's own changes, and all changes share revision {@code beginRev + 1} with increasing
 * sub-revisions. The index is updated in place as the write proceeds (the caller holds the store's write
 * lock, so no reader sees a half-done write); {@link #rollback()} undoes it if the write is abandoned.
 * Values of the write's own puts are kept in memory until the caller commits {@link #changes()}.
 */
public final class WriteTxn {
  private final TreeIndex index;
  private final ValueSource disk;
  private final long beginRev;
  private final long compactRev;
  private final Map<Revision, KeyValue> pending = new HashMap<>();
  private final List<Change> changes = new ArrayList<>();
  private final List<KeyIndex.Mark> undo = new ArrayList<>();
  private final Set<KeyIndex> touched = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * @param beginRev   the store revision before this write
   * @param compactRev the store's compaction revision (-1 when never compacted, as etcd's compactMainRev)
   */
  public WriteTxn(TreeIndex index, ValueSource disk, long beginRev, long compactRev) {
    this.index = index;
    this.disk = disk;
    this.beginRev = beginRev;
    this.compactRev = compactRev;
  }

  public long beginRev() { return beginRev; }

  public long compactRev() { return compactRev; }

  public boolean hasChanges() { return !changes.isEmpty(); }

  /** The revision reads in this write see: {@code beginRev}, or {@code beginRev + 1} once it changed something. */
  public long readRev() { return changes.isEmpty() ? beginRev : beginRev + 1; }

  /** The store revision after this write. */
  public long endRev() { return readRev(); }

  public List<Change> changes() { return Collections.unmodifiableList(changes); }

  /** A nested Range (etcd's {@code storeTxnWrite.Range}): the header carries {@link #readRev()}. */
  public RangeResponse range(RangeRequest r) {
    RangeQuery.Resolved res = RangeQuery.resolve(index, r, readRev(), compactRev);
    return RangeQuery.finish(r, res, load(res.revisions()));
  }

  /** The live versions of the keys in {@code range} at {@link #readRev()}, ascending by key. */
  public List<KeyValue> rangeAll(KeyRange range) {
    RangeQuery.Resolved res = RangeQuery.resolveKeys(index, range, 0, readRev(), compactRev, 0, false);
    return load(res.revisions());
  }

  /** The live version of {@code key} at {@link #readRev()}, or null. */
  public KeyValue get(ByteString key) {
    KeyIndex ki = index.get(key);
    Revision rev = ki == null ? null : ki.visibleAt(readRev());
    return rev == null ? null : load(List.of(rev)).get(0);
  }

  /** Writes a new version of {@code key} (etcd's {@code storeTxnWrite.put}). */
  public KeyValue put(ByteString key, ByteString value, long lease) {
    Revision rev = new Revision(beginRev + 1, changes.size());
    KeyIndex ki = index.getOrCreate(key);
    remember(ki);
    boolean existed = ki.isLive();
    long oldLease = ki.lease();
    Revision prev = existed ? ki.visibleAt(beginRev) : null;
    ki.put(rev, lease);
    KeyValue kv = KeyValue.newBuilder()
        .setKey(key)
        .setValue(value)
        .setCreateRevision(ki.createRevision())
        .setModRevision(rev.main())
        .setVersion(ki.version())
        .setLease(lease)
        .build();
    pending.put(rev, kv);
    changes.add(new Change(rev, kv, false, prev, oldLease, lease));
    return kv;
  }

  /** Deletes every key of {@code range} that is live at {@link #readRev()}; returns how many. */
  public long deleteRange(KeyRange range) {
    long at = readRev();
    List<KeyIndex> victims = new ArrayList<>();
    for (KeyIndex ki : index.in(range)) {
      if (ki.visibleAt(at) != null) {
        victims.add(ki);
      }
    }
    for (KeyIndex ki : victims) {
      delete(ki);
    }
    return victims.size();
  }

  /** Deletes {@code key} if it is live; returns whether it was. */
  public boolean delete(ByteString key) {
    KeyIndex ki = index.get(key);
    if (ki == null || ki.visibleAt(readRev()) == null) {
      return false;
    }
    delete(ki);
    return true;
  }

  private void delete(KeyIndex ki) {
    Revision rev = new Revision(beginRev + 1, changes.size());
    remember(ki);
    long oldLease = ki.lease();
    Revision prev = ki.visibleAt(beginRev);
    ki.tombstone(rev);
    KeyValue kv = KeyValue.newBuilder().setKey(ki.key()).setModRevision(rev.main()).build();
    changes.add(new Change(rev, kv, true, prev, oldLease, 0));
  }

  /** Undoes every index change this write made. */
  public void rollback() {
    for (int i = undo.size() - 1; i >= 0; i--) {
      KeyIndex.Mark m = undo.get(i);
      m.restore();
      index.removeIfEmpty(m.index());
    }
    undo.clear();
    touched.clear();
    changes.clear();
    pending.clear();
  }

  /** Values of {@code revs}: the write's own puts from memory, the rest from disk. */
  public List<KeyValue> load(List<Revision> revs) {
    if (revs.isEmpty()) {
      return List.of();
    }
    if (pending.isEmpty()) {
      return disk.load(revs);
    }
    List<Revision> fromDisk = new ArrayList<>();
    for (Revision r : revs) {
      if (!pending.containsKey(r)) {
        fromDisk.add(r);
      }
    }
    List<KeyValue> loaded = fromDisk.isEmpty() ? List.of() : disk.load(fromDisk);
    List<KeyValue> out = new ArrayList<>(revs.size());
    int next = 0;
    for (Revision r : revs) {
      KeyValue kv = pending.get(r);
      out.add(kv != null ? kv : loaded.get(next++));
    }
    return out;
  }

  private void remember(KeyIndex ki) {
    if (touched.add(ki)) {
      undo.add(ki.mark());
    }
  }
}
