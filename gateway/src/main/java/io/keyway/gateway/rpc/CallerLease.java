package io.keyway.gateway.rpc;

import io.keyway.api.EtcdException;
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
import java.util.function.LongFunction;

/** The Lease service of one keep-alive stream's caller: each keep-alive is checked (auth) before it runs. */
final class CallerLease implements EtcdLease {
  private final EtcdLease lease;
  private final LongFunction<EtcdException> refusal;

  CallerLease(EtcdLease lease, LongFunction<EtcdException> refusal) {
    this.lease = lease;
    this.refusal = refusal;
  }

  @Override
  public CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
    EtcdException refused = refusal.apply(id);
    return refused != null ? CompletableFuture.failedFuture(refused) : lease.keepAlive(id);
  }

  @Override
  public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
    return lease.grant(request);
  }

  @Override
  public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
    return lease.revoke(request);
  }

  @Override
  public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
    return lease.timeToLive(request);
  }

  @Override
  public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request) {
    return lease.leases(request);
  }
}
