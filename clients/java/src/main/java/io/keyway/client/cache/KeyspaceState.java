package io.keyway.client.cache;

import io.etcd.jetcd.ByteSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The cache's contents and the rules that change them, without any I/O: one writer (the cache's thread) applies
 * snapshots, watch events and progress; any thread reads. Keys sort as etcd sorts them, by unsigned bytes.
 *
 * <p>Two revisions are kept. {@link #appliedRevision()} is the last revision whose events are in the map: the
 * watch resumes after it and every event at or below it is a duplicate. {@link #revision()} also counts
 * progress notifications, which say "nothing else changed up to here" but are not used to drop events, so that a
 * server announcing progress too early (etcd before 3.5.8 answered progress requests even for unsynced
 * watchers) cannot make the cache skip a real event.
 */
final class KeyspaceState {

  /** What applying watch events did: the changes, and whether the events contradict the cache (a gap). */
  record Applied(List<Change> changes, boolean gap) {}

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final NavigableMap<byte[], CacheEntry> entries = new TreeMap<>(Arrays::compareUnsigned);
  private long appliedRevision;
  private long revision;

  /**
   * Replaces the contents with a snapshot taken at {@code snapshotRevision} and returns the difference as
   * changes (every entry is a put for the first snapshot).
   */
  List<Change> reset(List<CacheEntry> snapshot, long snapshotRevision) {
    lock.writeLock().lock();
    try {
      List<Change> changes = SnapshotDiff.between(entries, snapshot, snapshotRevision);
      entries.clear();
      for (CacheEntry e : snapshot) {
        entries.put(e.key().getBytes(), e);
      }
      appliedRevision = snapshotRevision;
      revision = Math.max(revision, snapshotRevision);
      return changes;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Applies the events of one watch response in order. Events at or below {@link #appliedRevision()} were
   * applied already (a resumed watch may repeat them) and are skipped; the events of one revision (a txn) are
   * never split across responses, so comparing with the revision before the response keeps them together.
   */
  Applied apply(List<WatchedEvent> events) {
    lock.writeLock().lock();
    try {
      long before = appliedRevision;
      List<Change> changes = new ArrayList<>(events.size());
      boolean gap = false;
      for (WatchedEvent event : events) {
        if (event.revision() <= before) {
          continue;
        }
        byte[] key = event.entry().key().getBytes();
        CacheEntry previous = entries.get(key);
        gap |= contradicts(event, previous);
        if (event.delete()) {
          if (previous != null) {
            entries.remove(key);
            changes.add(new Change.Delete(previous, event.revision()));
          }
        } else {
          entries.put(key, event.entry());
          changes.add(new Change.Put(event.entry(), previous));
        }
        appliedRevision = Math.max(appliedRevision, event.revision());
      }
      revision = Math.max(revision, appliedRevision);
      return new Applied(changes, gap);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Whether the event cannot follow what the cache holds, i.e. the cache missed a change of this key: etcd
   * never sends a delete of an absent key, a create (version 1) of a present one, or a prev_kv other than the
   * version the cache holds (prev_kv may be missing when that revision was compacted; then nothing is known).
   */
  private static boolean contradicts(WatchedEvent event, CacheEntry previous) {
    if (event.delete() && previous == null) {
      return true;
    }
    if (!event.delete() && event.entry().version() == 1 && previous != null) {
      return true;
    }
    if (event.prevModRevision() != 0) {
      return previous == null || previous.modRevision() != event.prevModRevision();
    }
    return false;
  }

  /** A progress notification: nothing in range changed up to {@code progressRevision}. True if it moved on. */
  boolean progress(long progressRevision) {
    lock.writeLock().lock();
    try {
      if (progressRevision <= revision) {
        return false;
      }
      revision = progressRevision;
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  CacheEntry get(ByteSequence key) {
    lock.readLock().lock();
    try {
      return entries.get(key.getBytes());
    } finally {
      lock.readLock().unlock();
    }
  }

  List<CacheEntry> entries() {
    lock.readLock().lock();
    try {
      return List.copyOf(entries.values());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Entries with {@code from <= key < to} in key order; a null bound is open. */
  List<CacheEntry> range(ByteSequence from, ByteSequence to) {
    lock.readLock().lock();
    try {
      NavigableMap<byte[], CacheEntry> view = entries;
      if (from != null) {
        view = view.tailMap(from.getBytes(), true);
      }
      if (to != null) {
        view = view.headMap(to.getBytes(), false);
      }
      return List.copyOf(view.values());
    } finally {
      lock.readLock().unlock();
    }
  }

  int size() {
    lock.readLock().lock();
    try {
      return entries.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  long revision() {
    lock.readLock().lock();
    try {
      return revision;
    } finally {
      lock.readLock().unlock();
    }
  }

  long appliedRevision() {
    lock.readLock().lock();
    try {
      return appliedRevision;
    } finally {
      lock.readLock().unlock();
    }
  }
}
