package io.keyway.gateway.auth;

import io.keyway.api.EtcdException;
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
import io.keyway.store.auth.AuthInfo;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.auth.RequestPermissions;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The KV service as one identified caller may use it, whoever sends the requests: the KV RPCs and the
 * recipes run for that caller (Lock, Election) alike. While auth is on, each request needs the key permissions
 * {@link RequestPermissions} lists (compaction: admin); writes carry the caller into their Raft entry, where
 * the apply checks them again.
 */
final class CheckedKv implements EtcdKv {
  private final AuthStore store;
  private final RequestPermissions permissions;
  private final AuthInfo who;
  private final EtcdKv kv;

  /**
   * @param who the caller; null while auth is disabled or when no token was sent
   * @param kv the KV service acting for {@code who}
   */
  CheckedKv(RequestPermissions permissions, AuthInfo who, EtcdKv kv) {
    this.store = permissions.store();
    this.permissions = permissions;
    this.who = who;
    this.kv = kv;
  }

  @Override
  public CompletableFuture<RangeResponse> range(RangeRequest request) {
    return checked(() -> permissions.checkRange(who, request), () -> kv.range(request));
  }

  @Override
  public CompletableFuture<PutResponse> put(PutRequest request) {
    return checked(() -> permissions.checkPut(who, request), () -> kv.put(request));
  }

  @Override
  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
    return checked(() -> permissions.checkDeleteRange(who, request), () -> kv.deleteRange(request));
  }

  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    return checked(() -> permissions.checkTxn(who, request), () -> kv.txn(request));
  }

  @Override
  public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
    try {
      store.checkAdmin(who);
    } catch (EtcdException e) {
      return CompletableFuture.failedFuture(e);
    }
    return kv.compact(request);
  }

  private <T> CompletableFuture<T> checked(CheckedCall.Check check, Supplier<CompletableFuture<T>> call) {
    return CheckedCall.send(store, check, call);
  }
}
