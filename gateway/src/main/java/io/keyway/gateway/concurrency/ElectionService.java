package io.keyway.gateway.concurrency;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.api.v3electionpb.CampaignRequest;
import io.keyway.api.v3electionpb.CampaignResponse;
import io.keyway.api.v3electionpb.LeaderKey;
import io.keyway.api.v3electionpb.LeaderRequest;
import io.keyway.api.v3electionpb.LeaderResponse;
import io.keyway.api.v3electionpb.ProclaimRequest;
import io.keyway.api.v3electionpb.ProclaimResponse;
import io.keyway.api.v3electionpb.ResignRequest;
import io.keyway.api.v3electionpb.ResignResponse;
import io.keyway.gateway.rpc.CancellableResult;
import io.keyway.gateway.rpc.StreamSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's v3election service. Candidates of election {@code name} own keys {@code name/<lease hex>}; the
 * leader is the oldest one (lowest create revision) and its value is the proclamation. A leader is addressed
 * by its {@link LeaderKey} (key plus create revision), so a stale leader can neither proclaim nor resign.
 */
final class ElectionService {
  private static final Logger LOG = LoggerFactory.getLogger(ElectionService.class);
  static final String NOT_LEADER = "election: not leader";
  static final String NO_LEADER = "election: no leader";
  /** v3election.ErrMissingLeaderKey. */
  static final String MISSING_LEADER_KEY = "\"leader\" field must be provided";

  private final Recipes recipes;

  ElectionService(Recipes recipes) {
    this.recipes = recipes;
  }

  // ---- Campaign ------------------------------------------------------------------------------------------

  CompletableFuture<CampaignResponse> campaign(CampaignRequest request) {
    CancellableResult<CampaignResponse> result = new CancellableResult<>();
    ByteString prefix = request.getName().concat(ByteString.copyFromUtf8("/"));
    recipes.sessionLease(request.getLease()).whenCompleteAsync((leaseId, err) -> {
      if (err != null) {
        result.completeExceptionally(Recipes.asServerError(err));
      } else if (!result.isDone()) {
        enter(request, prefix, Recipes.sessionKey(prefix, leaseId), leaseId, result);
      }
    }, Recipes.steps());
    return result;
  }

  private void enter(CampaignRequest request, ByteString prefix, ByteString key, long leaseId,
      CancellableResult<CampaignResponse> result) {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Recipes.createRevisionIs(key, 0))
        .addSuccess(put(key, request.getValue(), leaseId))
        .addFailure(Recipes.get(key))
        .build();
    recipes.kv.txn(txn).whenCompleteAsync((resp, err) -> {
      if (err != null) {
        result.completeExceptionally(Recipes.asServerError(err));
        return;
      }
      long rev = LockService.myRevision(resp);
      CampaignResponse won = CampaignResponse.newBuilder()
          .setHeader(resp.getHeader())
          .setLeader(LeaderKey.newBuilder().setName(request.getName()).setKey(key).setRev(rev).setLease(leaseId))
          .build();
      if (!resp.getSucceeded()
          && !resp.getResponses(0).getResponseRange().getKvs(0).getValue().equals(request.getValue())) {
        // this lease is already a candidate with another value: proclaim the new one, or give up on failure
        proclaim(key, rev, leaseId, request.getValue()).whenCompleteAsync((presp, perr) -> {
          if (perr != null) {
            resign(key, rev);
            result.completeExceptionally(perr);
          } else {
            await(prefix, key, rev, won, result);
          }
        }, Recipes.steps());
        return;
      }
      await(prefix, key, rev, won, result);
    }, Recipes.steps());
  }

  private void await(ByteString prefix, ByteString key, long rev, CampaignResponse won,
      CancellableResult<CampaignResponse> result) {
    DeleteWait wait = DeleteWait.start(recipes, prefix, rev - 1);
    // the campaigner went away: withdraw the candidacy, as etcd's Election.Campaign does on ctx.Done
    result.whenComplete((r, e) -> {
      if (result.isCancelled()) {
        wait.stop();
        resign(key, rev);
      }
    });
    wait.result().whenCompleteAsync((header, err) -> {
      if (err != null) {
        result.completeExceptionally(Recipes.asServerError(err));
      } else if (!result.complete(won) && result.isCancelled()) {
        resign(key, rev);
      }
    }, Recipes.steps());
  }

  // ---- Proclaim, Resign, Leader --------------------------------------------------------------------------

  CompletableFuture<ProclaimResponse> proclaim(ProclaimRequest request) {
    if (!request.hasLeader()) {
      return CompletableFuture.failedFuture(Recipes.plainError(MISSING_LEADER_KEY));
    }
    LeaderKey leader = request.getLeader();
    return recipes.sessionLease(leader.getLease())
        .exceptionally(err -> {
          throw new CompletionException(Recipes.asServerError(err));
        })
        .thenComposeAsync(leaseId -> proclaim(leader.getKey(), leader.getRev(), leaseId, request.getValue()),
            Recipes.steps())
        .thenApply(resp -> ProclaimResponse.newBuilder().setHeader(resp.getHeader()).build());
  }

  /** Rewrites the leader's value if {@code key} is still the candidacy created at {@code rev}. */
  private CompletableFuture<TxnResponse> proclaim(ByteString key, long rev, long leaseId, ByteString value) {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Recipes.createRevisionIs(key, rev))
        .addSuccess(put(key, value, leaseId))
        .build();
    return recipes.kv.txn(txn).handle((resp, err) -> {
      if (err != null) {
        throw new CompletionException(Recipes.asServerError(err));
      }
      if (!resp.getSucceeded()) {
        throw new CompletionException(Recipes.plainError(NOT_LEADER));
      }
      return resp;
    });
  }

  CompletableFuture<ResignResponse> resign(ResignRequest request) {
    if (!request.hasLeader()) {
      return CompletableFuture.failedFuture(Recipes.plainError(MISSING_LEADER_KEY));
    }
    LeaderKey leader = request.getLeader();
    // etcd opens a session for the request's lease first (granting one for lease 0) though resigning needs none
    return recipes.sessionLease(leader.getLease())
        .thenComposeAsync(leaseId -> resign(leader.getKey(), leader.getRev()), Recipes.steps())
        .handle((resp, err) -> {
          if (err != null) {
            throw new CompletionException(Recipes.asServerError(err));
          }
          return ResignResponse.newBuilder().setHeader(resp.getHeader()).build();
        });
  }

  /** Deletes the candidacy if it is still the one created at {@code rev}; a stale one is left alone. */
  private CompletableFuture<TxnResponse> resign(ByteString key, long rev) {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Recipes.createRevisionIs(key, rev))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)))
        .build();
    CompletableFuture<TxnResponse> done = recipes.kv.txn(txn);
    done.whenComplete((r, e) -> {
      if (e != null) {
        LOG.debug("resigning {} failed: {}", key.toStringUtf8(), e.toString());
      }
    });
    return done;
  }

  CompletableFuture<LeaderResponse> leader(LeaderRequest request) {
    ByteString prefix = request.getName().concat(ByteString.copyFromUtf8("/"));
    return recipes.kv.range(Recipes.firstCreated(prefix)).handle((resp, err) -> {
      if (err != null) {
        throw new CompletionException(Recipes.asServerError(err));
      }
      if (resp.getKvsCount() == 0) {
        throw new CompletionException(Recipes.plainError(NO_LEADER));
      }
      return LeaderResponse.newBuilder().setHeader(resp.getHeader()).setKv(resp.getKvs(0)).build();
    });
  }

  // ---- Observe -------------------------------------------------------------------------------------------

  /** Streams the leader and each of its proclamations, then the next leader, and so on. */
  Runnable observe(LeaderRequest request, StreamSink<LeaderResponse> sink) {
    ByteString prefix = request.getName().concat(ByteString.copyFromUtf8("/"));
    LeaderObserver observer = new LeaderObserver(recipes, prefix, sink);
    observer.start();
    return observer::stop;
  }

  static LeaderResponse leaderResponse(ResponseHeader header, KeyValue kv) {
    return LeaderResponse.newBuilder().setHeader(header).setKv(kv).build();
  }

  private static RequestOp put(ByteString key, ByteString value, long leaseId) {
    return RequestOp.newBuilder()
        .setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value).setLease(leaseId))
        .build();
  }
}
