package io.keyway.raft.cluster;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.Member;
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
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.raftpb.ClusterInfo;
import io.keyway.api.raftpb.MemberChange;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.raft.EtcdCluster;
import io.keyway.raft.propose.RaftEndpoint;
import io.keyway.raft.propose.RaftErrors;
import io.keyway.raft.propose.ReadBarrier;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import com.alipay.sofa.jraft.Status;

/**
 * etcd's Cluster service and MoveLeader on one member. Member changes are proposed through Raft to the
 * replicated {@link MemberTable} (any member may propose: followers forward to the leader), after the checks
 * etcd makes on the leader; the {@link Reconciler} then changes JRaft's configuration to match.
 */
public final class ClusterService implements EtcdCluster {
  private static final long TABLE_WAIT_SECONDS = 5;
  private static final long TABLE_POLL_MS = 20;
  /** etcd's HealthInterval: a member heard from within it counts as started for the strict checks. */
  private static final long ACTIVE_WITHIN_MS = 5000;
  /** etcd's readyPercent: a learner may be promoted when its log reaches 90% of the leader's. */
  private static final double READY_PERCENT = 0.9;

  private final MemberTable table;
  private final RaftMembership membership;
  private final RaftEndpoint raft;
  private final ReadBarrier readBarrier;
  private final Function<RaftRequest.Builder, CompletableFuture<Object>> propose;
  private final Supplier<ResponseHeader> header;
  private final Executor executor;
  private final long selfId;
  private final long clusterId;
  private final String clusterToken;
  private final int maxLearners;
  private final long moveLeaderTimeoutMs;
  private static final long MOVE_LEADER_POLL_MS = 20;

  public ClusterService(MemberTable table, RaftMembership membership, RaftEndpoint raft,
      ReadBarrier readBarrier, Function<RaftRequest.Builder, CompletableFuture<Object>> propose,
      Supplier<ResponseHeader> header, Executor executor, long selfId, long clusterId, String clusterToken,
      int maxLearners, long moveLeaderTimeoutMs) {
    this.table = table;
    this.membership = membership;
    this.raft = raft;
    this.readBarrier = readBarrier;
    this.propose = propose;
    this.header = header;
    this.executor = executor;
    this.selfId = selfId;
    this.clusterId = clusterId;
    this.clusterToken = clusterToken;
    this.maxLearners = maxLearners;
    this.moveLeaderTimeoutMs = moveLeaderTimeoutMs;
  }

  /** etcd's cluster responses carry no revision in their header. */
  private ResponseHeader clusterHeader() {
    return header.get().toBuilder().clearRevision().build();
  }

  @Override
  public CompletableFuture<MemberListResponse> memberList(MemberListRequest request) {
    Supplier<MemberListResponse> list = () -> MemberListResponse.newBuilder()
        .setHeader(clusterHeader()).addAllMembers(table.members()).build();
    return request.getLinearizable() ? readBarrier.thenRead(list) : CompletableFuture.supplyAsync(list, executor);
  }

  @Override
  public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request) {
    List<String> urls;
    try {
      urls = PeerUrls.normalize(request.getPeerURLsList());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(EtcdError.MEMBER_BAD_URLS.exception());
    }
    // etcd: sha1 of the sorted peer URLs and the time in seconds (no cluster name for added members)
    long id = ClusterIds.memberId(urls, Long.toString(Instant.now().getEpochSecond()));
    Member member = Member.newBuilder().setID(id).addAllPeerURLs(urls).setIsLearner(request.getIsLearner()).build();
    MemberChange change = MemberChange.newBuilder().setKind(MemberChange.Kind.ADD).setMember(member)
        .setMaxLearners(maxLearners).build();
    return checkThenPropose(change).thenApply(members -> MemberAddResponse.newBuilder()
        .setHeader(clusterHeader()).setMember(member).addAllMembers(members.getMembersList()).build());
  }

  @Override
  public CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request) {
    MemberChange change = MemberChange.newBuilder().setKind(MemberChange.Kind.REMOVE)
        .setMember(Member.newBuilder().setID(request.getID())).build();
    return checkThenPropose(change).thenApply(members -> MemberRemoveResponse.newBuilder()
        .setHeader(clusterHeader()).addAllMembers(members.getMembersList()).build());
  }

  @Override
  public CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request) {
    List<String> urls;
    try {
      urls = PeerUrls.normalize(request.getPeerURLsList());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(EtcdError.MEMBER_BAD_URLS.exception());
    }
    MemberChange change = MemberChange.newBuilder().setKind(MemberChange.Kind.UPDATE)
        .setMember(Member.newBuilder().setID(request.getID()).addAllPeerURLs(urls)).build();
    return tableReady().thenCompose(ok -> proposeChange(change)).thenApply(members -> MemberUpdateResponse.newBuilder()
        .setHeader(clusterHeader()).addAllMembers(members.getMembersList()).build());
  }

  @Override
  public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
    MemberChange change = MemberChange.newBuilder().setKind(MemberChange.Kind.PROMOTE)
        .setMember(Member.newBuilder().setID(request.getID())).build();
    return checkThenPropose(change).thenApply(members -> MemberPromoteResponse.newBuilder()
        .setHeader(clusterHeader()).addAllMembers(members.getMembersList()).build());
  }

  /** etcd: only the leader moves leadership, to a voting member other than itself. */
  @Override
  public CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
    if (!membership.isLeader()) {
      return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
    }
    long target = request.getTargetID();
    Member m = table.find(target);
    boolean voter = membership.votes(target);
    if (m == null || m.getIsLearner() || !voter || target == selfId) {
      return CompletableFuture.failedFuture(EtcdError.BAD_LEADER_TRANSFEREE.exception());
    }
    Status started = raft.node().transferLeadershipTo(RaftMembership.peerOf(m));
    if (!started.isOk()) {
      return CompletableFuture.failedFuture(RaftErrors.of(started));
    }
    // JRaft answers once the transfer began; etcd's MoveLeader answers once the target leads (or times out)
    CompletableFuture<MoveLeaderResponse> done = new CompletableFuture<>();
    awaitLeader(target, done, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(moveLeaderTimeoutMs));
    return done;
  }

  private void awaitLeader(long target, CompletableFuture<MoveLeaderResponse> done, long deadline) {
    if (membership.memberIdOf(raft.leader()) == target && !raft.isLeader()) {
      done.complete(MoveLeaderResponse.newBuilder().setHeader(header.get()).build());
    } else if (System.nanoTime() - deadline > 0) {
      done.completeExceptionally(EtcdError.TIMEOUT.exception());
    } else {
      CompletableFuture.delayedExecutor(MOVE_LEADER_POLL_MS, TimeUnit.MILLISECONDS, executor)
          .execute(() -> awaitLeader(target, done, deadline));
    }
  }

  private CompletableFuture<MemberListResponse> checkThenPropose(MemberChange change) {
    return tableReady().thenCompose(ok -> check(change)).thenCompose(ok -> proposeChange(change));
  }

  /**
   * A change proposed before the first leader's bootstrap entry would be refused at apply ("not capable"): right
   * after a cluster starts, wait until this member applied that entry, so the change lands after it in the log.
   */
  private CompletableFuture<Void> tableReady() {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    awaitTable(ready, System.nanoTime() + TimeUnit.SECONDS.toNanos(TABLE_WAIT_SECONDS));
    return ready;
  }

  private void awaitTable(CompletableFuture<Void> ready, long deadline) {
    if (table.initialized()) {
      ready.complete(null);
    } else if (System.nanoTime() > deadline) {
      ready.completeExceptionally(EtcdError.NOT_CAPABLE.exception());
    } else {
      CompletableFuture.delayedExecutor(TABLE_POLL_MS, TimeUnit.MILLISECONDS, executor)
          .execute(() -> awaitTable(ready, deadline));
    }
  }

  private CompletableFuture<MemberListResponse> proposeChange(MemberChange change) {
    return propose.apply(RaftRequest.newBuilder().setMemberChange(change))
        .thenApply(result -> (MemberListResponse) result);
  }

  /** The leader-only checks: here when leading, else asked of the leader. */
  private CompletableFuture<Void> check(MemberChange change) {
    if (membership.isLeader()) {
      EtcdError refusal = checkOnLeader(change);
      return refusal == null ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(refusal.exception());
    }
    return raft.queryLeader(ClusterQueries.CHECK, ClusterQueries.check(change))
        .handleAsync((reply, failure) -> {
          if (failure != null) {
            throw RaftErrors.toEtcd(failure);
          }
          ClusterQueries.checkReply(reply);
          return null;
        }, executor);
  }

  /**
   * etcd's strict reconfiguration check (a change must leave enough started voters for a quorum) and learner
   * readiness check, with this leader's view of its followers. Null when the change may go ahead.
   */
  public EtcdError checkOnLeader(MemberChange change) {
    List<Member> members = table.members();
    long voters = members.stream().filter(m -> !m.getIsLearner()).count();
    Map<Long, RaftMembership.Progress> progress = membership.progress();
    long target = change.getMember().getID();
    switch (change.getKind()) {
      case ADD -> {
        long started = startedVoters(members, progress, 0);
        // etcd lets a one-member cluster take a second voting member (the way to restore a cluster from backup)
        boolean secondOfOne = started == 1 && voters == 1;
        if (!change.getMember().getIsLearner() && !secondOfOne && started < quorum(voters + 1)) {
          return EtcdError.MEMBER_NOT_ENOUGH_STARTED;
        }
        // etcd: every voting member must have been connected to the leader for the last HealthInterval
        if (!connectedFully(members, progress)) {
          return EtcdError.UNHEALTHY;
        }
      }
      case REMOVE -> {
        Member m = table.find(target);
        if (m != null && !m.getIsLearner() && startedVoters(members, progress, target) < quorum(voters - 1)) {
          return EtcdError.MEMBER_NOT_ENOUGH_STARTED;
        }
        if (m != null && !m.getIsLearner()
            && !connectedFully(members.stream().filter(x -> x.getID() != target).toList(), progress)) {
          return EtcdError.UNHEALTHY;
        }
      }
      case PROMOTE -> {
        Member m = table.find(target);
        if (m != null && m.getIsLearner()) {
          long learnerLog = progress.containsKey(target) ? membership.logIndexOf(m) : -1;
          if (learnerLog < 0 || learnerLog < membership.leaderMatch() * READY_PERCENT) {
            return EtcdError.LEARNER_NOT_READY;
          }
        }
      }
      default -> { }
    }
    return null;
  }

  private boolean connectedFully(List<Member> members, Map<Long, RaftMembership.Progress> progress) {
    if (members.stream().noneMatch(m -> !m.getIsLearner() && m.getID() != selfId)) {
      return true; // etcd: no other voting member to have been connected to
    }
    if (membership.leaderElapsedMs() < ACTIVE_WITHIN_MS) {
      return false;
    }
    for (Member m : members) {
      if (m.getIsLearner() || m.getID() == selfId) {
        continue;
      }
      RaftMembership.Progress p = progress.get(m.getID());
      if (p == null || p.lastRpcElapsedMs() >= ACTIVE_WITHIN_MS) {
        return false;
      }
    }
    return true;
  }

  private long startedVoters(List<Member> members, Map<Long, RaftMembership.Progress> progress, long except) {
    long started = 0;
    for (Member m : members) {
      if (m.getIsLearner() || m.getID() == except) {
        continue;
      }
      RaftMembership.Progress p = progress.get(m.getID());
      if (m.getID() == selfId || (p != null && p.lastRpcElapsedMs() < ACTIVE_WITHIN_MS)) {
        started++;
      }
    }
    return started;
  }

  private static long quorum(long voters) {
    return voters / 2 + 1;
  }

  /** For members joining with --initial-cluster-state=existing. */
  public ClusterInfo info() {
    return ClusterInfo.newBuilder().setClusterId(clusterId).setClusterToken(clusterToken)
        .addAllMembers(table.members()).build();
  }
}
