package io.keyway.raft.lease;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.LeaseCheckpoint;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseLeasesResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeResponse;
import io.keyway.api.etcdserverpb.LeaseStatus;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.raftpb.LeaseCheckpointBatch;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.api.raftpb.RequestHeader;
import io.keyway.raft.EtcdLease;
import io.keyway.raft.propose.Proposer;
import io.keyway.raft.propose.RaftEndpoint;
import io.keyway.raft.propose.RaftErrors;
import io.keyway.raft.propose.ReadBarrier;
import io.keyway.raft.propose.RequestIds;
import io.keyway.store.lease.Lessor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import com.google.protobuf.ByteString;

/**
 * etcd's Lease service on one member ({@link EtcdLease}): grants and revokes are proposed through Raft (etcd's
 * v3_server LeaseGrant/LeaseRevoke); keep-alive and time-to-live are answered by the leader's lessor after a
 * ReadIndex round (etcd's ensureLeadership + waitAppliedIndex), locally on the leader and as a Raft query
 * forwarded to the leader on a follower; the lease list is local, as in etcd.
 */
public final class LeaseService implements EtcdLease {
  private final Lessor lessor;
  private final Proposer proposer;
  private final RequestIds ids;
  private final RaftEndpoint raft;
  private final ReadBarrier readBarrier;
  private final Executor completions;
  private final Executor reads;
  private final long requestTimeoutMs;
  private final Supplier<ResponseHeader> currentHeader;
  private final UnaryOperator<ResponseHeader> completeHeader;

  /**
   * @param currentHeader  a full header as of now (cluster, member, revision, term)
   * @param completeHeader a store header (revision only) completed with cluster, member and term
   */
  public LeaseService(Lessor lessor, Proposer proposer, RequestIds ids, RaftEndpoint raft, ReadBarrier readBarrier,
      Executor completions, Executor reads, long requestTimeoutMs, Supplier<ResponseHeader> currentHeader,
      UnaryOperator<ResponseHeader> completeHeader) {
    this.lessor = lessor;
    this.proposer = proposer;
    this.ids = ids;
    this.raft = raft;
    this.readBarrier = readBarrier;
    this.completions = completions;
    this.reads = reads;
    this.requestTimeoutMs = requestTimeoutMs;
    this.currentHeader = currentHeader;
    this.completeHeader = completeHeader;
  }

  @Override
  public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
    return grant(request, null);
  }

  /**
   * Grants on behalf of {@code caller} (null: the member itself): the Raft entry carries the caller, so the
   * apply checks its permission against the auth store of that moment, as etcd's authApplierV3 does.
   */
  public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request, RequestHeader caller) {
    if (request.getTTL() > Lessor.MAX_LEASE_TTL) {
      // the lessor rejects it when applied as well; failing here spares the log an entry
      return CompletableFuture.failedFuture(EtcdError.LEASE_TTL_TOO_LARGE.exception());
    }
    LeaseGrantRequest.Builder grant = request.toBuilder();
    while (grant.getID() == 0) {
      // chosen before proposing, so every member applies the same id; positive as etcd's
      grant.setID(ids.next() & Long.MAX_VALUE);
    }
    return proposer.propose(withCaller(RaftRequest.newBuilder().setLeaseGrant(grant), caller))
        .thenApply(r -> {
          LeaseGrantResponse g = (LeaseGrantResponse) r;
          return g.toBuilder().setHeader(completeHeader.apply(g.getHeader())).build();
        });
  }

  @Override
  public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
    return revoke(request, null);
  }

  /**
   * Revokes on behalf of {@code caller} (null: the member itself); the apply checks that the caller may
   * write every key attached to the lease at that moment.
   */
  public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request, RequestHeader caller) {
    return proposer.propose(withCaller(RaftRequest.newBuilder()
        .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(request.getID())), caller)).thenApply(r -> {
      LeaseRevokeResponse revoked = (LeaseRevokeResponse) r;
      return revoked.toBuilder().setHeader(completeHeader.apply(revoked.getHeader())).build();
    });
  }

  private RaftRequest withCaller(RaftRequest.Builder request, RequestHeader caller) {
    long id = ids.next();
    request.setId(id);
    if (caller != null) {
      request.setHeader(caller.toBuilder().setId(id));
    }
    return request.build();
  }

  /** Proposes the revocation of lease {@code id} (the expiry loop: the member itself, unchecked). */
  public CompletableFuture<Object> proposeRevoke(long id) {
    return proposer.propose(RaftRequest.newBuilder().setId(ids.next())
        .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)).build());
  }

  /**
   * Proposes lease checkpoints (etcd's checkpointer): only while this member still leads after a ReadIndex
   * round, else fails with NOT_LEADER. Completes once the batch is applied.
   */
  public CompletableFuture<Object> proposeCheckpoints(List<LeaseCheckpoint> checkpoints) {
    return confirmLeadership().thenCompose(leads -> {
      if (!Boolean.TRUE.equals(leads)) {
        throw EtcdError.NOT_LEADER.exception();
      }
      return proposer.propose(RaftRequest.newBuilder().setId(ids.next())
          .setLeaseCheckpoint(LeaseCheckpointBatch.newBuilder().addAllCheckpoints(checkpoints)).build());
    });
  }

  /** Completes with true when this member still leads once a ReadIndex round is through. */
  public CompletableFuture<Boolean> confirmLeadership() {
    if (!raft.isLeader()) {
      return CompletableFuture.completedFuture(false);
    }
    return readBarrier.thenRead(raft::isLeader);
  }

  @Override
  public CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
    // taken before the renewal, as etcd does: a client never sees a keep-alive at a revision above the revoke
    ResponseHeader header = currentHeader.get();
    CompletableFuture<Long> ttl;
    if (raft.isLeader()) {
      ttl = readBarrier.thenRead(() -> null).thenCompose(v -> lessor.renew(id));
    } else if (raft.leaderKnown()) {
      ttl = askLeader(LeaseQueries.RENEW, LeaseQueries.renew(id)).thenApply(LeaseQueries::renewReply);
    } else {
      return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
    }
    return ttl.orTimeout(requestTimeoutMs, TimeUnit.MILLISECONDS).handleAsync((granted, failure) -> {
      long answer;
      if (failure == null) {
        answer = granted;
      } else {
        EtcdException e = toEtcd(failure);
        if (e.error() != EtcdError.LEASE_NOT_FOUND) {
          throw e;
        }
        answer = 0; // unknown or expired: not an error for keep-alive
      }
      return LeaseKeepAliveResponse.newBuilder().setHeader(header).setID(id).setTTL(answer).build();
    }, completions);
  }

  @Override
  public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
    CompletableFuture<LeaseTimeToLiveResponse> answer;
    if (raft.isLeader()) {
      answer = readBarrier.thenRead(() -> {
        if (!lessor.isPrimary()) {
          throw EtcdError.LEADER_CHANGED.exception(); // demoted while the read waited
        }
        LeaseTimeToLiveResponse r = lessor.timeToLive(request.getID(), request.getKeys());
        return r != null ? r : LeaseTimeToLiveResponse.newBuilder().setID(request.getID()).setTTL(-1).build();
      });
    } else if (raft.leaderKnown()) {
      answer = askLeader(LeaseQueries.TIME_TO_LIVE, LeaseQueries.timeToLive(request)).thenApply(LeaseQueries::timeToLiveReply);
    } else {
      return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
    }
    return answer.orTimeout(requestTimeoutMs, TimeUnit.MILLISECONDS).handleAsync((r, failure) -> {
      if (failure != null) {
        throw toEtcd(failure);
      }
      return r.toBuilder().setHeader(currentHeader.get()).build();
    }, completions);
  }

  @Override
  public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request) {
    return CompletableFuture.supplyAsync(() -> {
      LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder().setHeader(currentHeader.get());
      for (long id : lessor.leases()) {
        b.addLeases(LeaseStatus.newBuilder().setID(id));
      }
      return b.build();
    }, reads);
  }

  private CompletableFuture<ByteString> askLeader(byte kind, ByteString query) {
    CompletableFuture<ByteString> reply;
    try {
      reply = raft.queryLeader(kind, query);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    // Bolt completes replies on its own threads: continue elsewhere
    return reply.thenApplyAsync(r -> r, completions);
  }

  private static EtcdException toEtcd(Throwable failure) {
    Throwable c = RaftErrors.unwrap(failure);
    if (c instanceof TimeoutException) {
      return EtcdError.TIMEOUT.exception();
    }
    return RaftErrors.toEtcd(c);
  }
}
