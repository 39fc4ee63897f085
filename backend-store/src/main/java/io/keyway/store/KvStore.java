package io.keyway.store;

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

/**
 * The MVCC key-value engine, seen from the replication layer.
 *
 * <p>Threading: every method that takes an {@code index} is a write and is called from one thread only (the
 * Raft apply thread), in log order. Reads may be called from any thread at any time, concurrently with
 * writes, and see a consistent revision.
 *
 * <p>Writes are deterministic functions of (state, request): every member applying the same log reaches the
 * same state. Each write persists {@code index} as the applied index atomically with its effects, so a
 * replay of already-applied entries after a crash is detected and skipped (the write returns the response
 * it would have returned, computed without changing state, or throws the same error).
 *
 * <p>Responses carry a {@code header} with only {@code revision} set; cluster id, member id and raft term
 * belong to the layers above. Failures are {@link EtcdException}s with etcd's code and message.
 */
public interface KvStore extends AutoCloseable {

  // ---- reads -------------------------------------------------------------------------------------------

  RangeResponse range(RangeRequest request) throws EtcdException;

  /** Current store revision (1 on a fresh store). */
  long revision();

  /** Revision of the last compaction (0 if none). */
  long compactRevision();

  /** Highest Raft log index whose effects are persisted. */
  long appliedIndex();

  // ---- writes (apply thread only) ------------------------------------------------------------------------

  PutResponse put(long index, PutRequest request) throws EtcdException;

  DeleteRangeResponse deleteRange(long index, DeleteRangeRequest request) throws EtcdException;

  TxnResponse txn(long index, TxnRequest request) throws EtcdException;

  /**
   * Logical compaction happens before this returns; the physical removal of old revisions from disk runs in
   * the background unless {@code request.physical} is set, in which case this waits for it.
   */
  CompactionResponse compact(long index, CompactionRequest request) throws EtcdException;

  /** Records that {@code index} was applied without touching the key space (e.g. Raft no-op entries). */
  void markApplied(long index);

  // ---- hooks for the layers above ------------------------------------------------------------------------

  /** Called on the apply thread after each committed change, in revision order. */
  void addChangeListener(ChangeListener listener);

  /** Decides whether a lease exists and learns which keys are attached to which lease. */
  void setLeaseHooks(LeaseHooks hooks);

  // ---- snapshots -----------------------------------------------------------------------------------------

  /** Writes a consistent, self-contained copy of the store into {@code target} (which must not exist). */
  void checkpoint(Path target);

  /** Size of the store's files on disk, in bytes. */
  long sizeOnDisk();

  @Override
  void close();
}
