package io.keyway.raft;

import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseLeasesResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeResponse;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Lease service as the replicated member offers it to the transports (gRPC, HTTP/JSON).
 *
 * <p>Same contract as {@link EtcdKv}: never blocks the caller, completes off the caller's thread, responses carry
 * a full header, failures are {@link io.keyway.api.EtcdException}s. Grant and revoke go through Raft; keep-alive
 * and time-to-live are answered by the leader's lessor (which runs the expiry clocks) without Raft.
 */
public interface EtcdLease {
  /** Grants a lease; ID 0 asks for one chosen by this member (etcd's idutil layout, positive). */
  CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request);

  /** Revokes a lease, deleting its keys in one revision. Unknown lease: LEASE_NOT_FOUND. */
  CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request);

  /**
   * One keep-alive: the lease's clock restarts and the answer carries its granted TTL, or TTL 0 when the lease
   * is unknown or expired (not an error, as in etcd). The header is taken before the renewal.
   */
  CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id);

  /** Remaining and granted TTL (and keys when asked); an unknown lease answers TTL -1, not an error. */
  CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request);

  /** The ids of all leases this member knows. */
  CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request);
}
