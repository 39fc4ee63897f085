package io.keyway.gateway.v2;

import com.google.protobuf.Message;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.EtcdError;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.UnaryRpc;
import java.util.concurrent.CompletableFuture;

/** {@link V3Access} through the member's {@link EtcdRpcs} for the caller behind {@code token} (null: none). */
final class RpcV3Access implements V3Access {
  private static final String TXN = "etcdserverpb.KV/Txn";
  private static final String GRANT = "etcdserverpb.Lease/LeaseGrant";
  private static final String REVOKE = "etcdserverpb.Lease/LeaseRevoke";

  private final EtcdRpcs rpcs;
  private final String token;

  RpcV3Access(EtcdRpcs rpcs, String token) {
    this.rpcs = rpcs;
    this.token = token;
  }

  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    return call(TXN, request).thenApply(TxnResponse.class::cast);
  }

  @Override
  public CompletableFuture<Long> grant(long id, long ttlSeconds) {
    return call(GRANT, LeaseGrantRequest.newBuilder().setID(id).setTTL(ttlSeconds).build())
        .thenApply(r -> ((LeaseGrantResponse) r).getID());
  }

  @Override
  public void revokeQuietly(long id) {
    call(REVOKE, LeaseRevokeRequest.newBuilder().setID(id).build());
  }

  private CompletableFuture<Message> call(String method, Message request) {
    UnaryRpc<?, ?> rpc = rpcs.find(method);
    if (rpc == null) {
      return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
    }
    return rpcs.invoke(rpc, request, token).toCompletableFuture().thenApply(Message.class::cast);
  }
}
