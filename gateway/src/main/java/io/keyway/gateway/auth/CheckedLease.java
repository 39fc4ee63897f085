package io.keyway.gateway.auth;

import io.keyway.api.EtcdException;
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
import io.keyway.raft.EtcdLease;
import io.keyway.store.auth.AuthInfo;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.auth.RequestPermissions;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The Lease service as one identified caller may use it (the Lease RPCs and the recipes' session leases):
 * while auth is on, any authenticated user may grant; revoking or keeping a lease alive needs WRITE on every
 * key attached to it, listing its keys or the leases needs READ on them. Grants and revokes carry the caller
 * into their Raft entry.
 */
final class CheckedLease implements EtcdLease {
  private final AuthStore store;
  private final RequestPermissions permissions;
  private final AuthInfo who;
  private final EtcdLease lease;

  /**
   * @param who the caller; null while auth is disabled or when no token was sent
   * @param lease the Lease service acting for {@code who}
   */
  CheckedLease(RequestPermissions permissions, AuthInfo who, EtcdLease lease) {
    this.store = permissions.store();
    this.permissions = permissions;
    this.who = who;
    this.lease = lease;
  }

  @Override
  public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
    return checked(() -> CheckedCall.requireUser(who), () -> lease.grant(request));
  }

  @Override
  public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
    return checked(() -> checkKeepAlive(permissions, who, request.getID()), () -> lease.revoke(request));
  }

  @Override
  public CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
    return checked(() -> checkKeepAlive(permissions, who, id), () -> lease.keepAlive(id));
  }

  @Override
  public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
    return checked(() -> {
      CheckedCall.requireUser(who);
      if (request.getKeys()) {
        permissions.checkLeaseKeys(who, request.getID(), false);
      }
    }, () -> lease.timeToLive(request));
  }

  @Override
  public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request) {
    return checked(() -> CheckedCall.requireUser(who), () -> lease.leases(request).thenApply(resp -> {
      if (store.isEnabled()) {
        for (LeaseStatus listed : resp.getLeasesList()) {
          permissions.checkLeaseKeys(who, listed.getID(), false);
        }
      }
      return resp;
    }));
  }

  /** Revoke and keep-alive: an authenticated user with WRITE on every key of the lease (or an admin). */
  static void checkKeepAlive(RequestPermissions permissions, AuthInfo who, long leaseId) throws EtcdException {
    CheckedCall.requireUser(who);
    permissions.checkLeaseKeys(who, leaseId, true);
  }

  private <T> CompletableFuture<T> checked(CheckedCall.Check check, Supplier<CompletableFuture<T>> call) {
    return CheckedCall.send(store, check, call);
  }
}
