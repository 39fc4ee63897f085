package io.keyway.gateway.auth;

import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.raft.EtcdKv;
import java.util.concurrent.CompletableFuture;

/**
 * The KV service of a caller whose token is still being checked: each request waits for the check, and fails
 * with its error when the token names nobody (as etcd's client, which presents the token with every request).
 */
final class DeferredKv implements EtcdKv {
  private final CompletableFuture<EtcdKv> kv;

  DeferredKv(CompletableFuture<EtcdKv> kv) {
    this.kv = kv;
  }

  @Override
  public CompletableFuture<RangeResponse> range(RangeRequest request) {
    return kv.thenCompose(k -> k.range(request));
  }

  @Override
  public CompletableFuture<PutResponse> put(PutRequest request) {
    return kv.thenCompose(k -> k.put(request));
  }

  @Override
  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
    return kv.thenCompose(k -> k.deleteRange(request));
  }

  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    return kv.thenCompose(k -> k.txn(request));
  }

  @Override
  public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
    return kv.thenCompose(k -> k.compact(request));
  }
}
