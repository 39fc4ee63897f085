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

  /** etcd's Auth RPCs, by method name, with their request types: the one list of them. */
  private static final Map<String, Message> REQUESTS = requests();

  private static Map<String, Message> requests() {
    Map<String, Message> m = new LinkedHashMap<>();
    m.put("AuthEnable", AuthEnableRequest.getDefaultInstance());
    m.put("AuthDisable", AuthDisableRequest.getDefaultInstance());
    m.put("AuthStatus", AuthStatusRequest.getDefaultInstance());
    m.put("Authenticate", AuthenticateRequest.getDefaultInstance());
    m.put("UserAdd", AuthUserAddRequest.getDefaultInstance());
    m.put("UserGet", AuthUserGetRequest.getDefaultInstance());
    m.put("UserList", AuthUserListRequest.getDefaultInstance());
    m.put("UserDelete", AuthUserDeleteRequest.getDefaultInstance());
    m.put("UserChangePassword", AuthUserChangePasswordRequest.getDefaultInstance());
    m.put("UserGrantRole", AuthUserGrantRoleRequest.getDefaultInstance());
    m.put("UserRevokeRole", AuthUserRevokeRoleRequest.getDefaultInstance());
    m.put("RoleAdd", AuthRoleAddRequest.getDefaultInstance());
    m.put("RoleGet", AuthRoleGetRequest.getDefaultInstance());
    m.put("RoleList", AuthRoleListRequest.getDefaultInstance());
    m.put("RoleDelete", AuthRoleDeleteRequest.getDefaultInstance());
    m.put("RoleGrantPermission", AuthRoleGrantPermissionRequest.getDefaultInstance());
    m.put("RoleRevokePermission", AuthRoleRevokePermissionRequest.getDefaultInstance());
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Auth RPCs by full name, each taking the caller (null while auth is disabled) and the request; the
   * {@link AuthService} runs each by its request type.
   */
  static Map<String, BiFunction<AuthInfo, Message, CompletionStage<? extends Message>>> table(AuthService a) {
    Map<String, BiFunction<AuthInfo, Message, CompletionStage<? extends Message>>> t = new LinkedHashMap<>();
    REQUESTS.keySet().forEach(method -> t.put(SERVICE + "/" + method, a::call));
    return t;
  }

  /** Registers the Auth RPCs and puts {@code gate} in front of every RPC of {@code rpcs}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static EtcdRpcs addTo(EtcdRpcs rpcs, AuthGate gate) {
    gate.table().forEach((fullName, call) -> {
      String method = fullName.substring(fullName.indexOf('/') + 1);
      // without the gate's identity the call runs as nobody; the gate always supplies it
      rpcs.add(new UnaryRpc(SERVICE, method, REQUESTS.get(method),
          request -> call.apply(null, (Message) request)));
    });
    return rpcs.withGate(gate);
  }
}
