package io.keyway.gateway.rpc;

import io.keyway.api.etcdserverpb.MemberAddRequest;
import io.keyway.api.etcdserverpb.MemberListRequest;
import io.keyway.api.etcdserverpb.MemberPromoteRequest;
import io.keyway.api.etcdserverpb.MemberRemoveRequest;
import io.keyway.api.etcdserverpb.MemberUpdateRequest;
import io.keyway.api.etcdserverpb.MoveLeaderRequest;
import io.keyway.raft.EtcdCluster;

/** etcd's Cluster service (MemberAdd/Remove/Update/List/Promote) and Maintenance.MoveLeader. */
public final class ClusterRpcs {
  private static final String CLUSTER = "etcdserverpb.Cluster";

  private ClusterRpcs() {}

  public static EtcdRpcs addTo(EtcdRpcs rpcs, EtcdCluster cluster) {
    return rpcs
        .add(new UnaryRpc<>(CLUSTER, "MemberAdd", MemberAddRequest.getDefaultInstance(), cluster::memberAdd))
        .add(new UnaryRpc<>(CLUSTER, "MemberRemove", MemberRemoveRequest.getDefaultInstance(),
            cluster::memberRemove))
        .add(new UnaryRpc<>(CLUSTER, "MemberUpdate", MemberUpdateRequest.getDefaultInstance(),
            cluster::memberUpdate))
        .add(new UnaryRpc<>(CLUSTER, "MemberList", MemberListRequest.getDefaultInstance(), cluster::memberList))
        .add(new UnaryRpc<>(CLUSTER, "MemberPromote", MemberPromoteRequest.getDefaultInstance(),
            cluster::memberPromote))
        .add(new UnaryRpc<>(MaintenanceRpcs.SERVICE, "MoveLeader", MoveLeaderRequest.getDefaultInstance(),
            cluster::moveLeader));
  }
}
