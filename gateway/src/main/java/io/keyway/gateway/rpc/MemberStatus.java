package io.keyway.gateway.rpc;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.MemberListRequest;
import io.keyway.api.etcdserverpb.MemberListResponse;
import io.keyway.api.etcdserverpb.StatusRequest;
import io.keyway.api.etcdserverpb.StatusResponse;
import io.keyway.gateway.EtcdVersion;
import io.keyway.raft.MemberView;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Maintenance.Status and Cluster.MemberList, answered from this member's local view as etcd does. */
public final class MemberStatus {
  private final MemberView view;
  private final List<String> advertiseClientUrls;

  public MemberStatus(MemberView view, List<String> advertiseClientUrls) {
    this.view = view;
    this.advertiseClientUrls = List.copyOf(advertiseClientUrls);
  }

  public CompletionStage<StatusResponse> status(StatusRequest request) {
    return CompletableFuture.supplyAsync(() -> {
      long leader = view.leaderId();
      long dbSize = view.dbSize();
      StatusResponse.Builder b = StatusResponse.newBuilder()
          .setHeader(view.header())
          .setVersion(EtcdVersion.SERVER)
          .setDbSize(dbSize)
          .setLeader(leader)
          .setRaftIndex(view.raftIndex())
          .setRaftTerm(view.term())
          .setRaftAppliedIndex(view.appliedIndex())
          .setDbSizeInUse(Math.min(dbSize, view.dbSizeInUse()))
          .setIsLearner(view.isLearner());
      if (leader == 0) {
        b.addErrors(EtcdError.NO_LEADER.message());
      }
      return b.build();
    }, Runnable::run);
  }

  /**
   * etcd's cluster responses carry no revision in their header. This member's client URLs are the ones it
   * advertises now, even when the replicated member list has not caught up with them yet.
   */
  public CompletionStage<MemberListResponse> memberList(MemberListRequest request) {
    return CompletableFuture.supplyAsync(() -> {
      MemberListResponse.Builder b = MemberListResponse.newBuilder()
          .setHeader(view.header().toBuilder().clearRevision());
      long self = view.memberId();
      for (Member m : view.members()) {
        if (m.getID() == self && m.getClientURLsCount() == 0) {
          m = m.toBuilder().addAllClientURLs(advertiseClientUrls).build();
        }
        b.addMembers(m);
      }
      return b.build();
    }, Runnable::run);
  }
}
