package io.keyway.store;

import com.google.protobuf.ByteString;

/**
 * The seam between the key space and the lessor. The store asks whether a lease exists before attaching a
 * key to it, and reports attachment changes so the lessor knows which keys to delete on revoke or expiry.
 */
public interface LeaseHooks {
  boolean exists(long leaseId);

  void attached(long leaseId, ByteString key);

  void detached(long leaseId, ByteString key);

  /** No lessor: every lease id is unknown. */
  LeaseHooks NONE = new LeaseHooks() {
    @Override public boolean exists(long leaseId) { return false; }
    @Override public void attached(long leaseId, ByteString key) {}
    @Override public void detached(long leaseId, ByteString key) {}
  };
}
