package io.keyway.raft;

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
import java.util.concurrent.CompletableFuture;

/**
 * etcd's KV service as the replicated member offers it to the transports (gRPC, HTTP/JSON).
 *
 * <p>Every method validates the request (etcd's v3rpc checks, size and txn-op limits) before anything is
 * proposed, never blocks the caller, and completes its future off the caller's thread. Writes complete only
 * after their Raft entry is committed on a quorum (fsynced) and applied. Ranges are linearizable unless
 * {@code serializable} is set. Responses carry a full header (cluster id, member id, revision, raft term).
 * Failures complete the future with an {@link io.keyway.api.EtcdException}.
 */
public interface EtcdKv {
  CompletableFuture<RangeResponse> range(RangeRequest request);

  CompletableFuture<PutResponse> put(PutRequest request);

  CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

  CompletableFuture<TxnResponse> txn(TxnRequest request);

  CompletableFuture<CompactionResponse> compact(CompactionRequest request);
}
