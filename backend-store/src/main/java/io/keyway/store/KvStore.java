package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The MVCC key-value engine, seen from the replication layer.
 *
 * <p>Threading: every method that takes an {@code index} is a write and is called from one thread only (the
 * Raft apply thread), in log order. Reads may be called from any thread at any time, concurrently with
 * writes, and see a consistent revision.
 *
 * <p>Writes are deterministic functions of (state, request): every member applying the same log reaches the
 * same state. Each write persists its apply position as the applied index atomically with its effects,
 * including writes that fail with an {@link EtcdException} (the failure is their result).
 *
 * <p><b>Apply positions.</b> A Raft entry usually holds one request: the writes without a {@code part}
 * stand for the whole entry {@code index}. An entry that packs several requests (group commit) is applied
 * as {@code part} 0, 1, 2... of {@code index}, then closed with {@link #markApplied(long)}. Positions order
 * by (index, part), the whole entry last.
 *
 * <p><b>Replay.</b> A write at a position at or below the applied position (a replay after a crash) changes
 * nothing, calls no listener or lease hook and throws nothing: it returns a response whose header carries
 * the current revision and nothing else. No client waits for a replayed entry (its proposer's future died
 * with the process), so only the absence of effects matters.
 *
 * <p>Every write re-runs {@link RequestChecks} on its request, so a malformed log entry fails with etcd's
 * error instead of corrupting state.
 *
 * <p>Responses carry a {@code header} with only {@code revision} set; cluster id, member id and raft term
 * belong to the layers above. Failures are {@link EtcdException}s with etcd's code and message; a storage
 * failure is a {@link StoreFailedException}, after which the store accepts no more writes.
 */
public interface KvStore extends AutoCloseable {

  /** The {@code part} that stands for a whole Raft entry. */
  int WHOLE_ENTRY = Integer.MAX_VALUE;

  // ---- reads -------------------------------------------------------------------------------------------

  RangeResponse range(RangeRequest request) throws EtcdException;

  /**
   * Serves a read-only txn ({@link RequestChecks#isReadOnly}) from local state without going through the
   * log, as etcd does. Throws {@link IllegalArgumentException} for a txn that writes.
   */
  TxnResponse readTxn(TxnRequest request) throws EtcdException;

  /**
   * The committed changes of revisions {@code fromRevision..min(toRevision, revision())}, oldest first:
   * the history a watcher that starts in the past replays. Stops after the revision at which
   * {@code maxEvents} is reached (a revision is never split, so a single large revision may exceed it).
   * Events carry {@code prev_kv} when {@code withPrevKv} is set and a previous version is still readable.
   *
   * @throws EtcdException COMPACTED when {@code fromRevision < compactRevision()}
   */
  List<RevisionChanges> changes(long fromRevision, long toRevision, int maxEvents, boolean withPrevKv)
      throws EtcdException;

  /** Current store revision (1 on a fresh store). */
  long revision();

  /** Revision of the last compaction (0 if none). */
  long compactRevision();

  /** Highest Raft log index whose effects are persisted in full (all of its parts). */
  long appliedIndex();

  // ---- writes (apply thread only) ------------------------------------------------------------------------

  default PutResponse put(long index, PutRequest request) throws EtcdException {
    return put(index, WHOLE_ENTRY, request);
  }

  PutResponse put(long index, int part, PutRequest request) throws EtcdException;

  default DeleteRangeResponse deleteRange(long index, DeleteRangeRequest request) throws EtcdException {
    return deleteRange(index, WHOLE_ENTRY, request);
  }

  DeleteRangeResponse deleteRange(long index, int part, DeleteRangeRequest request) throws EtcdException;

  default TxnResponse txn(long index, TxnRequest request) throws EtcdException {
    return txn(index, WHOLE_ENTRY, request);
  }

  TxnResponse txn(long index, int part, TxnRequest request) throws EtcdException;

  /**
   * Logical compaction happens before this returns; the physical removal of old revisions from disk runs in
   * the background unless {@code request.physical} is set, in which case this waits for it.
   */
  default CompactionResponse compact(long index, CompactionRequest request) throws EtcdException {
    return compact(index, WHOLE_ENTRY, request);
  }

  CompactionResponse compact(long index, int part, CompactionRequest request) throws EtcdException;

  /**
   * Deletes those of {@code keys} that exist, all in one revision, in key order (lease revoke and expiry).
   * No revision is used when none exists. The response's {@code deleted} counts the keys removed.
   */
  default DeleteRangeResponse deleteKeys(long index, Collection<ByteString> keys) {
    return deleteKeys(index, WHOLE_ENTRY, keys);
  }

  DeleteRangeResponse deleteKeys(long index, int part, Collection<ByteString> keys);

  /** Records that {@code index} was applied in full without (further) touching the key space. */
  default void markApplied(long index) {
    markApplied(index, WHOLE_ENTRY);
  }

  /** Records that part {@code part} of entry {@code index} was applied without touching the key space. */
  void markApplied(long index, int part);

  // ---- hooks for the layers above ------------------------------------------------------------------------

  /**
   * Called on the apply thread after each committed change, in revision order. The new revision is already
   * visible to readers when the listener runs.
   */
  void addChangeListener(ChangeListener listener);

  /**
   * Decides whether a lease exists and learns which keys are attached to which lease. On installation the
   * hooks are told (via {@code attached}) about every key currently attached to a lease, so a lessor that
   * restarts from its own state can rebuild its key sets from the store.
   */
  void setLeaseHooks(LeaseHooks hooks);

  // ---- snapshots -----------------------------------------------------------------------------------------

  /** Writes a consistent, self-contained copy of the store into {@code target} (which must not exist). */
  void checkpoint(Path target);

  /**
   * Writes the store's content, as of one applied position, as a canonical byte stream ({@code LogicalDump}):
   * stores with the same data write the same bytes, whatever their files look like. Returns the bytes written.
   */
  long dump(java.io.DataOutputStream out);

  /**
   * Hands {@code reader} the store's content as of one applied position (a store snapshot: applies go on
   * meanwhile) and returns its result.
   */
  <T> T readImage(StoreImage.Reader<T> reader) throws java.io.IOException;

  /** Size of the store's data on disk, in bytes (etcd's dbSize, which its space quota is checked against). */
  long sizeOnDisk();

  /** The part of {@link #sizeOnDisk} holding live data, an estimate (etcd's dbSizeInUse). */
  long sizeInUse();

  // ---- maintenance ---------------------------------------------------------------------------------------

  /**
   * etcd's HashKV: the CRC-32C etcd computes over the key space up to {@code revision} (0: the current
   * revision; negative: nothing), see {@link io.keyway.store.mvcc.KvHasher}. A full scan: call it off event
   * loops.
   *
   * @throws EtcdException COMPACTED when {@code revision} is below the compaction revision, FUTURE_REV when it
   *     is above the current revision
   */
  KvHash hashKv(long revision) throws EtcdException;

  /** etcd's Hash: a CRC32C (unsigned) of the whole store's content, applied position included. A full scan. */
  long hash();

  /** Rewrites the store's files without deleted entries (etcd's defragment). Slow: call it off event loops. */
  void defragment();

  /**
   * A small replicated record of the layers above (e.g. the alarm table) by name; null when never written.
   */
  byte[] record(String name);

  /**
   * Persists record {@code name} atomically with the applied position {@code (index, part)} (apply thread only).
   *
   * @return false when the position was applied already (a replay): nothing was written
   */
  boolean putRecord(long index, int part, String name, byte[] value);

  @Override
  void close();
}
