package io.keyway.gateway.v2;

import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The v3 calls a v2 request is made of, on behalf of one caller: every one goes through the member's RPC table
 * (learner check, metrics, the auth gate with the caller's token, Raft), exactly as the same v3 request would.
 */
interface V3Access {
  CompletableFuture<TxnResponse> txn(TxnRequest request);

  /** Grants lease {@code id} for {@code ttlSeconds}; fails with LEASE_EXIST when the id is taken. */
  CompletableFuture<Long> grant(long id, long ttlSeconds);

  /** Revokes a lease nobody needs any more; failures are ignored. */
  void revokeQuietly(long id);
}
