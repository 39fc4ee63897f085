package io.keyway.gateway.rpc;

import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.raft.EtcdLease;

/**
 * The unary RPCs of etcd's Lease service. LeaseKeepAlive is a stream and has its own transports
 * ({@code grpc.LeaseKeepAliveCall}, {@code http.KeepAliveStream}).
 */
public final class LeaseRpcs {
  public static final String SERVICE = "etcdserverpb.Lease";
  public static final String KEEP_ALIVE = SERVICE + "/LeaseKeepAlive";

  private LeaseRpcs() {}

  public static EtcdRpcs addTo(EtcdRpcs rpcs, EtcdLease lease) {
    return rpcs
        .add(new UnaryRpc<>(SERVICE, "LeaseGrant", LeaseGrantRequest.getDefaultInstance(), lease::grant))
        .add(new UnaryRpc<>(SERVICE, "LeaseRevoke", LeaseRevokeRequest.getDefaultInstance(), lease::revoke))
        .add(new UnaryRpc<>(SERVICE, "LeaseTimeToLive", LeaseTimeToLiveRequest.getDefaultInstance(),
            lease::timeToLive))
        .add(new UnaryRpc<>(SERVICE, "LeaseLeases", LeaseLeasesRequest.getDefaultInstance(), lease::leases));
  }
}
