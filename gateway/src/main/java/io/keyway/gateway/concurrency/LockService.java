package io.keyway.gateway.concurrency;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.api.v3lockpb.LockRequest;
import io.keyway.api.v3lockpb.LockResponse;
import io.keyway.api.v3lockpb.UnlockRequest;
import io.keyway.api.v3lockpb.UnlockResponse;
import io.keyway.gateway.rpc.CancellableResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's v3lock service: a distributed mutex per name, held by the key {@code name/<lease hex>} that was
 * created first under {@code name/}. Lock creates the caller's key (with the caller's lease) and answers once
 * every older key is gone; Unlock deletes a key. Waiting costs one watcher, no thread.
 */
final class LockService {
  private static final Logger LOG = LoggerFactory.getLogger(LockService.class);
  /** concurrency.ErrSessionExpired: the waiter's own key vanished (lease expired or revoked) while waiting. */
  static final String SESSION_EXPIRED = "mutex: session is expired";

  private final Recipes recipes;

  LockService(Recipes recipes) {
    this.recipes = recipes;
  }

  CompletableFuture<LockResponse> lock(LockRequest request) {
    CancellableResult<LockResponse> result = new CancellableResult<>();
    ByteString prefix = request.getName().concat(ByteString.copyFromUtf8("/"));
    recipes.sessionLease(request.getLease()).whenCompleteAsync((leaseId, err) -> {
      if (err != null) {
        result.completeExceptionally(Recipes.asServerError(err));
      } else if (!result.isDone()) {
        acquire(prefix, Recipes.sessionKey(prefix, leaseId), leaseId, result);
      }
    }, Recipes.steps());
    return result;
  }

  CompletableFuture<UnlockResponse> unlock(UnlockRequest request) {
    return recipes.kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(request.getKey()).build())
        .handle((resp, err) -> {
          if (err != null) {
            throw new java.util.concurrent.CompletionException(Recipes.asServerError(err));
          }
          return UnlockResponse.newBuilder().setHeader(resp.getHeader()).build();
        });
  }

  /** Creates the key unless this lease already has one (then that key, and its place in line, is reused). */
  private void acquire(ByteString prefix, ByteString key, long leaseId, CancellableResult<LockResponse> result) {
    RequestOp owner = Recipes.get(Recipes.firstCreated(prefix));
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Recipes.createRevisionIs(key, 0))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setLease(leaseId)))
        .addSuccess(owner)
        .addFailure(Recipes.get(key))
        .addFailure(owner)
        .build();
    recipes.kv.txn(txn).whenCompleteAsync((resp, err) -> {
      if (err != null) {
        result.completeExceptionally(Recipes.asServerError(err));
        return;
      }
      long myRev = myRevision(resp);
      List<KeyValue> first = resp.getResponses(1).getResponseRange().getKvsList();
      if (first.isEmpty() || first.get(0).getCreateRevision() == myRev) {
        complete(result, LockResponse.newBuilder().setHeader(resp.getHeader()).setKey(key).build(), key);
        return;
      }
      awaitPredecessors(prefix, key, myRev, result);
    }, Recipes.steps());
  }

  static long myRevision(TxnResponse resp) {
    return resp.getSucceeded() ? resp.getHeader().getRevision()
        : resp.getResponses(0).getResponseRange().getKvs(0).getCreateRevision();
  }

  private void awaitPredecessors(ByteString prefix, ByteString key, long myRev,
      CancellableResult<LockResponse> result) {
    DeleteWait wait = DeleteWait.start(recipes, prefix, myRev - 1);
    // the caller went away: stop waiting and give up the place in line, as etcd's Mutex.Lock does
    result.whenComplete((r, e) -> {
      if (result.isCancelled()) {
        wait.stop();
        release(key);
      }
    });
    wait.result().whenCompleteAsync((header, err) -> {
      if (result.isDone()) {
        return;
      }
      if (err != null) {
        release(key);
        result.completeExceptionally(Recipes.asServerError(err));
        return;
      }
      // the wait ends when the predecessors are gone, whether or not our own key survived them
      recipes.kv.range(RangeRequest.newBuilder().setKey(key).build()).whenCompleteAsync((resp, rerr) -> {
        if (rerr != null) {
          release(key);
          result.completeExceptionally(Recipes.asServerError(rerr));
        } else if (resp.getKvsCount() == 0) {
          result.completeExceptionally(Recipes.plainError(SESSION_EXPIRED));
        } else {
          complete(result, LockResponse.newBuilder().setHeader(resp.getHeader()).setKey(key).build(), key);
        }
      }, Recipes.steps());
    }, Recipes.steps());
  }

  /** Answers, unless the caller gave up meanwhile: then the lock it would have got is released. */
  private void complete(CancellableResult<LockResponse> result, LockResponse response, ByteString key) {
    if (!result.complete(response) && result.isCancelled()) {
      release(key);
    }
  }

  private void release(ByteString key) {
    recipes.kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(key).build()).whenComplete((r, e) -> {
      if (e != null) {
        LOG.warn("releasing abandoned lock key {} failed: {}", key.toStringUtf8(), e.toString());
      }
    });
  }
}
