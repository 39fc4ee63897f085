package io.keyway.raft.statemachine;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.AlarmRequest;
import io.keyway.api.etcdserverpb.AuthDisableResponse;
import io.keyway.api.etcdserverpb.AuthEnableResponse;
import io.keyway.api.etcdserverpb.AuthRoleAddResponse;
import io.keyway.api.etcdserverpb.AuthRoleDeleteResponse;
import io.keyway.api.etcdserverpb.AuthRoleGetResponse;
import io.keyway.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.keyway.api.etcdserverpb.AuthRoleListResponse;
import io.keyway.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import io.keyway.api.etcdserverpb.AuthStatusResponse;
import io.keyway.api.etcdserverpb.AuthUserAddResponse;
import io.keyway.api.etcdserverpb.AuthUserChangePasswordResponse;
import io.keyway.api.etcdserverpb.AuthUserDeleteResponse;
import io.keyway.api.etcdserverpb.AuthUserGetResponse;
import io.keyway.api.etcdserverpb.AuthUserGrantRoleResponse;
import io.keyway.api.etcdserverpb.AuthUserListResponse;
import io.keyway.api.etcdserverpb.AuthUserRevokeRoleResponse;
import io.keyway.api.etcdserverpb.AuthenticateResponse;
import io.keyway.api.authpb.User;
import io.keyway.api.raftpb.InternalAuthenticateRequest;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.raft.auth.TokenIssuer;
import io.keyway.store.KvStore;
import io.keyway.store.auth.AuthInfo;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.auth.RequestPermissions;

/**
 * The auth part of the state machine (etcd's authApplierV3): applies auth store requests, and re-checks the
 * permissions of every client request against the auth store as of this entry, so a permission revoked between
 * the proposer's check and the apply is enforced (a moved auth revision fails with
 * {@code revision of auth store is old}). Identity comes from the entry's header; entries without a header
 * are the members' own (lease expiry, checkpoints) and are not checked, as etcd runs them as root.
 */
public final class AuthApplier implements RequestApplier {
  private final AuthStore auth;
  private final RequestPermissions permissions;
  private final TokenIssuer tokens;
  private final KvStore store;
  private final RequestApplier next;

  public AuthApplier(RequestPermissions permissions, TokenIssuer tokens, KvStore store, RequestApplier next) {
    this.auth = permissions.store();
    this.permissions = permissions;
    this.tokens = tokens;
    this.store = store;
    this.next = next;
  }

  @Override
  public Object apply(long index, int part, RaftRequest request) throws EtcdException {
    AuthInfo who = request.hasHeader()
        ? new AuthInfo(request.getHeader().getUsername(), request.getHeader().getAuthRevision()) : null;
    try {
      Object authResult = applyAuth(index, part, request, who);
      if (authResult != null) {
        return authResult;
      }
      if (who != null && auth.isEnabled()) {
        check(who, request);
      }
    } catch (EtcdException e) {
      store.markApplied(index, part); // the refusal is the entry's result (a no-op when already recorded)
      throw e;
    }
    return next.apply(index, part, request);
  }

  private void check(AuthInfo who, RaftRequest request) throws EtcdException {
    switch (request.getRequestCase()) {
      case PUT -> permissions.checkPut(who, request.getPut());
      case DELETE_RANGE -> permissions.checkDeleteRange(who, request.getDeleteRange());
      case TXN -> permissions.checkTxn(who, request.getTxn());
      case COMPACTION -> auth.checkAdmin(who);
      case LEASE_REVOKE -> {
        requireUser(who);
        permissions.checkLeaseKeys(who, request.getLeaseRevoke().getID(), true);
      }
      case LEASE_GRANT -> requireUser(who);
      case ALARM -> {
        if (request.getAlarm().getAction() == AlarmRequest.AlarmAction.GET) {
          requireUser(who);
        } else {
          auth.checkAdmin(who);
        }
      }
      default -> { }
    }
  }

  private static void requireUser(AuthInfo who) throws EtcdException {
    if (who.isEmpty()) {
      throw EtcdError.USER_EMPTY.exception();
    }
  }

  /** The response of an auth store request, or null when {@code request} is no auth request. */
  private Object applyAuth(long index, int part, RaftRequest r, AuthInfo who) throws EtcdException {
    switch (r.getRequestCase()) {
      case AUTH_ENABLE -> {
        auth.checkAdmin(who);
        auth.enable(index, part);
        return AuthEnableResponse.getDefaultInstance();
      }
      case AUTH_DISABLE -> {
        auth.checkAdmin(who);
        auth.disable(index, part);
        return AuthDisableResponse.getDefaultInstance();
      }
      case AUTH_STATUS -> {
        store.markApplied(index, part);
        return AuthStatusResponse.newBuilder().setEnabled(auth.isEnabled()).setAuthRevision(auth.revision()).build();
      }
      case AUTHENTICATE -> {
        return authenticate(index, part, r.getAuthenticate());
      }
      case USER_ADD -> {
        auth.checkAdmin(who);
        auth.userAdd(index, part, r.getUserAdd());
        return AuthUserAddResponse.getDefaultInstance();
      }
      case USER_DELETE -> {
        auth.checkAdmin(who);
        auth.userDelete(index, part, r.getUserDelete().getName());
        return AuthUserDeleteResponse.getDefaultInstance();
      }
      case USER_CHANGE_PASSWORD -> {
        auth.checkAdmin(who);
        auth.userChangePassword(index, part, r.getUserChangePassword());
        return AuthUserChangePasswordResponse.getDefaultInstance();
      }
      case USER_GRANT_ROLE -> {
        auth.checkAdmin(who);
        auth.userGrantRole(index, part, r.getUserGrantRole().getUser(), r.getUserGrantRole().getRole());
        return AuthUserGrantRoleResponse.getDefaultInstance();
      }
      case USER_REVOKE_ROLE -> {
        auth.checkAdmin(who);
        auth.userRevokeRole(index, part, r.getUserRevokeRole().getName(), r.getUserRevokeRole().getRole());
        return AuthUserRevokeRoleResponse.getDefaultInstance();
      }
      case USER_GET -> {
        String name = r.getUserGet().getName();
        if (who == null || !name.equals(who.username())) {
          auth.checkAdmin(who); // a user may read itself
        }
        store.markApplied(index, part);
        return AuthUserGetResponse.newBuilder().addAllRoles(auth.userRoles(name)).build();
      }
      case USER_LIST -> {
        auth.checkAdmin(who);
        store.markApplied(index, part);
        return AuthUserListResponse.newBuilder().addAllUsers(auth.userNames()).build();
      }
      case ROLE_ADD -> {
        auth.checkAdmin(who);
        auth.roleAdd(index, part, r.getRoleAdd().getName());
        return AuthRoleAddResponse.getDefaultInstance();
      }
      case ROLE_GET -> {
        String role = r.getRoleGet().getRole();
        if (who == null || !auth.hasRole(who.username(), role)) {
          auth.checkAdmin(who); // a user may read its own roles
        }
        store.markApplied(index, part);
        AuthRoleGetResponse found = auth.role(role);
        return found;
      }
      case ROLE_LIST -> {
        auth.checkAdmin(who);
        store.markApplied(index, part);
        return AuthRoleListResponse.newBuilder().addAllRoles(auth.roleNames()).build();
      }
      case ROLE_DELETE -> {
        auth.checkAdmin(who);
        auth.roleDelete(index, part, r.getRoleDelete().getRole());
        return AuthRoleDeleteResponse.getDefaultInstance();
      }
      case ROLE_GRANT_PERMISSION -> {
        auth.checkAdmin(who);
        auth.roleGrantPermission(index, part, r.getRoleGrantPermission());
        return AuthRoleGrantPermissionResponse.getDefaultInstance();
      }
      case ROLE_REVOKE_PERMISSION -> {
        auth.checkAdmin(who);
        auth.roleRevokePermission(index, part, r.getRoleRevokePermission());
        return AuthRoleRevokePermissionResponse.getDefaultInstance();
      }
      default -> {
        return null;
      }
    }
  }

  /** The password was checked by the proposer; the apply only confirms the user may still log in. */
  private AuthenticateResponse authenticate(long index, int part, InternalAuthenticateRequest r)
      throws EtcdException {
    if (!auth.isEnabled()) {
      throw EtcdError.AUTH_NOT_ENABLED.exception();
    }
    User user = auth.user(r.getName());
    if (user == null || user.getOptions().getNoPassword()) {
      throw EtcdError.AUTH_FAILED.exception();
    }
    store.markApplied(index, part);
    return AuthenticateResponse.newBuilder()
        .setToken(tokens.issue(r.getName(), r.getSimpleToken(), index, auth.revision())).build();
  }
}
