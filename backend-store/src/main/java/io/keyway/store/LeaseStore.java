package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import java.util.Collection;
import java.util.List;

/**
 * A {@link KvStore} that also keeps the lease table, so that a lease and the keys attached to it change in
 * the same atomic write as the applied position. The lessor is its only writer.
 *
 * <p>Writes follow the rules of {@link KvStore}: apply thread only, in log order, and a write at a position
 * at or below the applied position is a replay that changes nothing and calls nothing. A lease request that
 * fails (unknown lease, existing id...) records its position with {@link #markApplied(long, int)}.
 */
public interface LeaseStore extends KvStore {

  /**
   * Whether position {@code (index, part)} is at or below the applied position, i.e. applying it again would be
   * a replay. Lets the lessor skip a replayed request before validating it against state that moved on.
   */
  boolean isApplied(long index, int part);

  /** The persisted leases, in id order. */
  List<LeaseRecord> leases();

  /**
   * Persists {@code lease} with the applied position {@code (index, part)}.
   *
   * @return false when the position was applied already (a replay): nothing was written
   */
  boolean grantLease(long index, int part, LeaseRecord lease);

  /**
   * Overwrites the records of existing leases (a lease checkpoint: their remaining TTL changed), all in one
   * atomic write with the applied position {@code (index, part)}.
   *
   * @return false when the position was applied already (a replay): nothing was written
   */
  boolean putLeases(long index, int part, Collection<LeaseRecord> leases);

  /**
   * Deletes those of {@code keys} that exist (one revision, as {@link #deleteKeys}) and removes the record of
   * lease {@code leaseId}, in one atomic write with the applied position. Change listeners see the
   * deletions; lease hooks see each key detached.
   *
   * @return the deletion's response, or null when the position was applied already (a replay)
   */
  DeleteRangeResponse revokeLease(long index, int part, long leaseId, Collection<ByteString> keys);
}
