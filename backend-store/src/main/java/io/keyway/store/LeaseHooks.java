package io.keyway.store;

import com.google.protobuf.ByteString;

/**
 * The seam between the key space and the lessor. The store asks whether a lease exists before attaching a
 * key to it, and reports attachment changes so the lessor knows which keys to delete on revoke or expiry.
 *
 * <p>All calls come from the apply thread. {@link #exists} is called while the store holds its write lock
 * (it may read the store, but must not write to it); {@link #attached} and {@link #detached} are called after
 * the write committed, in change order: an overwrite reports {@code detached} of the old lease before
 * {@code attached} of the new one, even when both are the same lease. Replayed entries call nothing.
 */
public interface LeaseHooks {
  boolean exists(long leaseId);

  void attached(long leaseId, ByteString key);

  void detached(long leaseId, ByteString key);

  /**
   * The store's files were replaced (a Raft snapshot was installed): whatever the hooks learned from the old
   * store is void. Called after the new store is open and before its attached keys are replayed through
   * {@link #attached}, on the thread that installs the snapshot while no write runs.
   */
  default void storeReplaced() {}

  /** No lessor: every lease id is unknown. */
  LeaseHooks NONE = new LeaseHooks() {
    @Override public boolean exists(long leaseId) { return false; }
    @Override public void attached(long leaseId, ByteString key) {}
    @Override public void detached(long leaseId, ByteString key) {}
  };
}
