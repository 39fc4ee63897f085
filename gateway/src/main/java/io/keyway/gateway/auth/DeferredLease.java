package io.keyway.gateway.auth;

import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseLeasesResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeResponse;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.raft.EtcdLease;
import java.util.concurrent.CompletableFuture;

/** The Lease service of a caller whose token is still being checked, like {@link DeferredKv}. */
final class DeferredLease implements EtcdLease {
  private final CompletableFuture<EtcdLease> lease;

  DeferredLease(CompletableFuture<EtcdLease> lease) {
    this.lease = lease;
  }

  @Override
  public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
    return lease.thenCompose(l -> l.grant(request));
  }

  @Override
  public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
    return lease.thenCompose(l -> l.revoke(request));
  }

  @Override
  public CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
    return lease.thenCompose(l -> l.keepAlive(id));
  }

  @Override
  public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
    return lease.thenCompose(l -> l.timeToLive(request));
  }

  @Override
  public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request) {
    return lease.thenCompose(l -> l.leases(request));
  }
}
