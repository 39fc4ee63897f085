package io.keyway.gateway.auth;

import com.google.protobuf.Message;
import io.keyway.api.etcdserverpb.*;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.UnaryRpc;
import io.keyway.raft.auth.AuthService;
import io.keyway.store.auth.AuthInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * etcd's Auth service, registered for both transports, with the gate in front of every RPC. Each auth RPC
 * runs for the caller the gate identified (the apply checks admin rights with it).
 */
public final class AuthRpcs {
  public static final String SERVICE = "etcdserverpb.Auth";

  private AuthRpcs() {}

  /** Auth RPCs by full name, each taking the caller (null while auth is disabled) and the request. */
  static Map<String, BiFunction<AuthInfo, Message, CompletionStage<? extends Message>>> table(AuthService a) {
    Map<String, BiFunction<AuthInfo, Message, CompletionStage<? extends Message>>> t = new LinkedHashMap<>();
    t.put(SERVICE + "/AuthEnable", (w, r) -> a.enable(w, (AuthEnableRequest) r));
    t.put(SERVICE + "/AuthDisable", (w, r) -> a.disable(w, (AuthDisableRequest) r));
    t.put(SERVICE + "/AuthStatus", (w, r) -> a.status(w, (AuthStatusRequest) r));
    t.put(SERVICE + "/Authenticate", (w, r) -> a.authenticate((AuthenticateRequest) r));
    t.put(SERVICE + "/UserAdd", (w, r) -> a.userAdd(w, (AuthUserAddRequest) r));
    t.put(SERVICE + "/UserGet", (w, r) -> a.userGet(w, (AuthUserGetRequest) r));
    t.put(SERVICE + "/UserList", (w, r) -> a.userList(w, (AuthUserListRequest) r));
    t.put(SERVICE + "/UserDelete", (w, r) -> a.userDelete(w, (AuthUserDeleteRequest) r));
    t.put(SERVICE + "/UserChangePassword", (w, r) -> a.userChangePassword(w, (AuthUserChangePasswordRequest) r));
    t.put(SERVICE + "/UserGrantRole", (w, r) -> a.userGrantRole(w, (AuthUserGrantRoleRequest) r));
    t.put(SERVICE + "/UserRevokeRole", (w, r) -> a.userRevokeRole(w, (AuthUserRevokeRoleRequest) r));
    t.put(SERVICE + "/RoleAdd", (w, r) -> a.roleAdd(w, (AuthRoleAddRequest) r));
    t.put(SERVICE + "/RoleGet", (w, r) -> a.roleGet(w, (AuthRoleGetRequest) r));
    t.put(SERVICE + "/RoleList", (w, r) -> a.roleList(w, (AuthRoleListRequest) r));
    t.put(SERVICE + "/RoleDelete", (w, r) -> a.roleDelete(w, (AuthRoleDeleteRequest) r));
    t.put(SERVICE + "/RoleGrantPermission", (w, r) -> a.roleGrantPermission(w, (AuthRoleGrantPermissionRequest) r));
    t.put(SERVICE + "/RoleRevokePermission",
        (w, r) -> a.roleRevokePermission(w, (AuthRoleRevokePermissionRequest) r));
    return t;
  }

  private static final Map<String, Message> PROTOTYPES = Map.ofEntries(
      Map.entry("AuthEnable", AuthEnableRequest.getDefaultInstance()),
      Map.entry("AuthDisable", AuthDisableRequest.getDefaultInstance()),
      Map.entry("AuthStatus", AuthStatusRequest.getDefaultInstance()),
      Map.entry("Authenticate", AuthenticateRequest.getDefaultInstance()),
      Map.entry("UserAdd", AuthUserAddRequest.getDefaultInstance()),
      Map.entry("UserGet", AuthUserGetRequest.getDefaultInstance()),
      Map.entry("UserList", AuthUserListRequest.getDefaultInstance()),
      Map.entry("UserDelete", AuthUserDeleteRequest.getDefaultInstance()),
      Map.entry("UserChangePassword", AuthUserChangePasswordRequest.getDefaultInstance()),
      Map.entry("UserGrantRole", AuthUserGrantRoleRequest.getDefaultInstance()),
      Map.entry("UserRevokeRole", AuthUserRevokeRoleRequest.getDefaultInstance()),
      Map.entry("RoleAdd", AuthRoleAddRequest.getDefaultInstance()),
      Map.entry("RoleGet", AuthRoleGetRequest.getDefaultInstance()),
      Map.entry("RoleList", AuthRoleListRequest.getDefaultInstance()),
      Map.entry("RoleDelete", AuthRoleDeleteRequest.getDefaultInstance()),
      Map.entry("RoleGrantPermission", AuthRoleGrantPermissionRequest.getDefaultInstance()),
      Map.entry("RoleRevokePermission", AuthRoleRevokePermissionRequest.getDefaultInstance()));

  /** Registers the Auth RPCs and puts {@code gate} in front of every RPC of {@code rpcs}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static EtcdRpcs addTo(EtcdRpcs rpcs, AuthGate gate) {
    gate.table().forEach((fullName, call) -> {
      String method = fullName.substring(fullName.indexOf('/') + 1);
      // without the gate's identity the call runs as nobody; the gate always supplies it
      rpcs.add(new UnaryRpc(SERVICE, method, PROTOTYPES.get(method),
          request -> call.apply(null, (Message) request)));
    });
    return rpcs.withGate(gate);
  }
}
