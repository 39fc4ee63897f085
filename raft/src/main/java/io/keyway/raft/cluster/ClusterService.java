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
import io.keyway.raft.propose.RatisErrors;
import io.keyway.raft.propose.ReadBarrier;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.RaftServer;

/**
 * etcd's Cluster service and MoveLeader on one member. Member changes are proposed through Raft to the
 * replicated {@link MemberTable} (any member may propose: followers forward to the leader), after the checks
 * etcd makes on the leader; the {@link Reconciler} then changes Ratis' configuration to match.
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
  private final RaftServer server;
  private final ReadBarrier readBarrier;
  private final Function<RaftRequest.Builder, CompletableFuture<Object>> propose;
  private final Supplier<ResponseHeader> header;
  private final Executor executor;
  private final long selfId;
  private final long clusterId;
  private final String clusterToken;
  private final int maxLearners;
  private final long moveLeaderTimeoutMs;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  public ClusterService(MemberTable table, RaftMembership membership, RaftEndpoint raft, RaftServer server,
      ReadBarrier readBarrier, Function<RaftRequest.Builder, CompletableFuture<Object>> propose,
      Supplier<ResponseHeader> header, Executor executor, long selfId, long clusterId, String clusterToken,
      int maxLearners, long moveLeaderTimeoutMs) {
    this.table = table;
    this.membership = membership;
    this.raft = raft;
    this.server = server;
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
    boolean voter = membership.voters().stream().anyMatch(p -> RaftMembership.memberId(p.getId()) == target);
    if (m == null || m.getIsLearner() || !voter || target == selfId) {
      return CompletableFuture.failedFuture(EtcdError.BAD_LEADER_TRANSFEREE.exception());
    }
    return CompletableFuture.supplyAsync(() -> {
      TransferLeadershipRequest transfer = new TransferLeadershipRequest(clientId, server.getId(),
          membership.division().getGroup().getGroupId(), callIds.incrementAndGet(), RaftMembership.peerId(target),
          moveLeaderTimeoutMs);
      try {
        return server.transferLeadershipAsync(transfer);
      } catch (IOException e) {
        return CompletableFuture.<RaftClientReply>failedFuture(e);
      }
    }, executor).thenCompose(f -> f).handleAsync((reply, failure) -> {
      Throwable t = failure != null ? failure : reply.isSuccess() ? null : reply.getException();
      if (t != null) {
        // etcd: the transfer did not finish within its deadline
        throw RatisErrors.unwrap(t) instanceof io.keyway.api.EtcdException e ? e : EtcdError.TIMEOUT.exception();
      }
      return MoveLeaderResponse.newBuilder().setHeader(header.get()).build();
    }, executor);
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
    return CompletableFuture.supplyAsync(() -> raft.queryLeader(ClusterQueries.check(change)), executor)
        .thenCompose(f -> f)
        .handleAsync((reply, failure) -> {
          Throwable t = failure != null ? failure : reply.isSuccess() ? null : reply.getException();
          if (t != null) {
            throw RatisErrors.toEtcd(t);
          }
          ClusterQueries.checkReply(reply.getMessage());
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
          RaftMembership.Progress p = progress.get(target);
          if (p == null || p.matchIndex() < membership.leaderMatch() * READY_PERCENT) {
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

  /** Whether {@code peers} (Ratis' view) still hold this member. */
  static boolean contains(Iterable<RaftPeer> peers, long id) {
    for (RaftPeer p : peers) {
      if (RaftMembership.memberId(p.getId()) == id) {
        return true;
      }
    }
    return false;
  }
}
