package io.keyway.raft;

import io.keyway.api.etcdserverpb.MemberAddRequest;
import io.keyway.api.etcdserverpb.MemberAddResponse;
import io.keyway.api.etcdserverpb.MemberListRequest;
import io.keyway.api.etcdserverpb.MemberListResponse;
import io.keyway.api.etcdserverpb.MemberPromoteRequest;
import io.keyway.api.etcdserverpb.MemberPromoteResponse;
import io.keyway.api.etcdserverpb.MemberRemoveRequest;
import io.keyway.api.etcdserverpb.MemberRemoveResponse;
import io.keyway.api.etcdserverpb.MemberUpdateRequest;
import io.keyway.api.etcdserverpb.MemberUpdateResponse;
import io.keyway.api.etcdserverpb.MoveLeaderRequest;
import io.keyway.api.etcdserverpb.MoveLeaderResponse;
import java.util.concurrent.CompletableFuture;

/** etcd's Cluster service and Maintenance.MoveLeader on one member; failures are EtcdExceptions. */
public interface EtcdCluster {
  CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request);

  CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request);

  CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request);

  CompletableFuture<MemberListResponse> memberList(MemberListRequest request);

  CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request);

  CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request);
}
