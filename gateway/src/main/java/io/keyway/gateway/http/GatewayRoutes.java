package io.keyway.gateway.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * etcd 3.5's grpc-gateway routes (all POST, whole body is the request), by path under {@code /v3}. Every
 * route of etcd is listed, implemented here or not, so a wrong method gets 405 and an unimplemented RPC a
 * gRPC-shaped 501 rather than a 404.
 */
final class GatewayRoutes {
  private GatewayRoutes() {}

  private static final Map<String, String> ROUTES = new LinkedHashMap<>();

  private static void route(String path, String fullMethod) {
    ROUTES.put("/v3" + path, fullMethod);
  }

  static {
    route("/kv/range", "etcdserverpb.KV/Range");
    route("/kv/put", "etcdserverpb.KV/Put");
    route("/kv/deleterange", "etcdserverpb.KV/DeleteRange");
    route("/kv/txn", "etcdserverpb.KV/Txn");
    route("/kv/compaction", "etcdserverpb.KV/Compact");
    route("/watch", "etcdserverpb.Watch/Watch");
    route("/lease/grant", "etcdserverpb.Lease/LeaseGrant");
    route("/lease/revoke", "etcdserverpb.Lease/LeaseRevoke");
    route("/kv/lease/revoke", "etcdserverpb.Lease/LeaseRevoke");
    route("/lease/keepalive", "etcdserverpb.Lease/LeaseKeepAlive");
    route("/lease/timetolive", "etcdserverpb.Lease/LeaseTimeToLive");
    route("/kv/lease/timetolive", "etcdserverpb.Lease/LeaseTimeToLive");
    route("/lease/leases", "etcdserverpb.Lease/LeaseLeases");
    route("/kv/lease/leases", "etcdserverpb.Lease/LeaseLeases");
    route("/cluster/member/add", "etcdserverpb.Cluster/MemberAdd");
    route("/cluster/member/remove", "etcdserverpb.Cluster/MemberRemove");
    route("/cluster/member/update", "etcdserverpb.Cluster/MemberUpdate");
    route("/cluster/member/list", "etcdserverpb.Cluster/MemberList");
    route("/cluster/member/promote", "etcdserverpb.Cluster/MemberPromote");
    route("/maintenance/alarm", "etcdserverpb.Maintenance/Alarm");
    route("/maintenance/status", "etcdserverpb.Maintenance/Status");
    route("/maintenance/defragment", "etcdserverpb.Maintenance/Defragment");
    route("/maintenance/hash", "etcdserverpb.Maintenance/Hash");
    route("/maintenance/hashkv", "etcdserverpb.Maintenance/HashKV");
    route("/maintenance/snapshot", "etcdserverpb.Maintenance/Snapshot");
    route("/maintenance/transfer-leadership", "etcdserverpb.Maintenance/MoveLeader");
    route("/maintenance/downgrade", "etcdserverpb.Maintenance/Downgrade");
    route("/auth/enable", "etcdserverpb.Auth/AuthEnable");
    route("/auth/disable", "etcdserverpb.Auth/AuthDisable");
    route("/auth/status", "etcdserverpb.Auth/AuthStatus");
    route("/auth/authenticate", "etcdserverpb.Auth/Authenticate");
    route("/auth/user/add", "etcdserverpb.Auth/UserAdd");
    route("/auth/user/get", "etcdserverpb.Auth/UserGet");
    route("/auth/user/list", "etcdserverpb.Auth/UserList");
    route("/auth/user/delete", "etcdserverpb.Auth/UserDelete");
    route("/auth/user/changepw", "etcdserverpb.Auth/UserChangePassword");
    route("/auth/user/grant", "etcdserverpb.Auth/UserGrantRole");
    route("/auth/user/revoke", "etcdserverpb.Auth/UserRevokeRole");
    route("/auth/role/add", "etcdserverpb.Auth/RoleAdd");
    route("/auth/role/get", "etcdserverpb.Auth/RoleGet");
    route("/auth/role/list", "etcdserverpb.Auth/RoleList");
    route("/auth/role/delete", "etcdserverpb.Auth/RoleDelete");
    route("/auth/role/grant", "etcdserverpb.Auth/RoleGrantPermission");
    route("/auth/role/revoke", "etcdserverpb.Auth/RoleRevokePermission");
    route("/lock/lock", "v3lockpb.Lock/Lock");
    route("/lock/unlock", "v3lockpb.Lock/Unlock");
    route("/election/campaign", "v3electionpb.Election/Campaign");
    route("/election/proclaim", "v3electionpb.Election/Proclaim");
    route("/election/leader", "v3electionpb.Election/Leader");
    route("/election/observe", "v3electionpb.Election/Observe");
    route("/election/resign", "v3electionpb.Election/Resign");
  }

  /** Every etcd gRPC method that has a gateway route ({@code etcdserverpb.KV/Range}, ...). */
  static java.util.Collection<String> methods() {
    return java.util.Collections.unmodifiableCollection(new java.util.LinkedHashSet<>(ROUTES.values()));
  }

  /**
   * The gRPC method behind a request path, after etcd's prefix rewrite; null when the path is no gateway
   * route. {@code /v3beta/} is rewritten by etcd 3.5 itself; {@code /v3alpha/} (served up to etcd 3.3) is
   * accepted too for old clients.
   */
  static String methodFor(String path) {
    return ROUTES.get(canonical(path));
  }

  /** The path with a {@code /v3beta/} or {@code /v3alpha/} prefix replaced by {@code /v3/}. */
  static String canonical(String path) {
    if (path.startsWith("/v3beta/")) {
      return "/v3/" + path.substring("/v3beta/".length());
    }
    if (path.startsWith("/v3alpha/")) {
      return "/v3/" + path.substring("/v3alpha/".length());
    }
    return path;
  }
}
