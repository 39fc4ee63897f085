package io.keyway.openapi;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.keyway.api.etcdserverpb.RpcProto;
import io.keyway.api.v3electionpb.V3ElectionProto;
import io.keyway.api.v3lockpb.V3LockProto;
import java.util.ArrayList;
import java.util.List;

/**
 * The routes of the HTTP/JSON API under {@code /v3} — etcd 3.5's grpc-gateway table, which Keyway serves
 * in-process. The same paths answer under {@code /v3beta} and {@code /v3alpha}.
 */
final class HttpRoutes {
  private HttpRoutes() {}

  static List<HttpRoute> all() {
    List<HttpRoute> r = new ArrayList<>();
    add(r, "/kv/range", RpcProto.getDescriptor(), "KV", "Range");
    add(r, "/kv/put", RpcProto.getDescriptor(), "KV", "Put");
    add(r, "/kv/deleterange", RpcProto.getDescriptor(), "KV", "DeleteRange");
    add(r, "/kv/txn", RpcProto.getDescriptor(), "KV", "Txn");
    add(r, "/kv/compaction", RpcProto.getDescriptor(), "KV", "Compact");
    add(r, "/watch", RpcProto.getDescriptor(), "Watch", "Watch");
    add(r, "/lease/grant", RpcProto.getDescriptor(), "Lease", "LeaseGrant");
    add(r, "/lease/revoke", RpcProto.getDescriptor(), "Lease", "LeaseRevoke");
    add(r, "/kv/lease/revoke", RpcProto.getDescriptor(), "Lease", "LeaseRevoke");
    add(r, "/lease/keepalive", RpcProto.getDescriptor(), "Lease", "LeaseKeepAlive");
    add(r, "/lease/timetolive", RpcProto.getDescriptor(), "Lease", "LeaseTimeToLive");
    add(r, "/kv/lease/timetolive", RpcProto.getDescriptor(), "Lease", "LeaseTimeToLive");
    add(r, "/lease/leases", RpcProto.getDescriptor(), "Lease", "LeaseLeases");
    add(r, "/kv/lease/leases", RpcProto.getDescriptor(), "Lease", "LeaseLeases");
    add(r, "/cluster/member/add", RpcProto.getDescriptor(), "Cluster", "MemberAdd");
    add(r, "/cluster/member/remove", RpcProto.getDescriptor(), "Cluster", "MemberRemove");
    add(r, "/cluster/member/update", RpcProto.getDescriptor(), "Cluster", "MemberUpdate");
    add(r, "/cluster/member/list", RpcProto.getDescriptor(), "Cluster", "MemberList");
    add(r, "/cluster/member/promote", RpcProto.getDescriptor(), "Cluster", "MemberPromote");
    add(r, "/maintenance/alarm", RpcProto.getDescriptor(), "Maintenance", "Alarm");
    add(r, "/maintenance/status", RpcProto.getDescriptor(), "Maintenance", "Status");
    add(r, "/maintenance/defragment", RpcProto.getDescriptor(), "Maintenance", "Defragment");
    add(r, "/maintenance/hash", RpcProto.getDescriptor(), "Maintenance", "Hash");
    add(r, "/maintenance/hashkv", RpcProto.getDescriptor(), "Maintenance", "HashKV");
    add(r, "/maintenance/snapshot", RpcProto.getDescriptor(), "Maintenance", "Snapshot");
    add(r, "/maintenance/transfer-leadership", RpcProto.getDescriptor(), "Maintenance", "MoveLeader");
    add(r, "/maintenance/downgrade", RpcProto.getDescriptor(), "Maintenance", "Downgrade");
    add(r, "/auth/enable", RpcProto.getDescriptor(), "Auth", "AuthEnable");
    add(r, "/auth/disable", RpcProto.getDescriptor(), "Auth", "AuthDisable");
    add(r, "/auth/status", RpcProto.getDescriptor(), "Auth", "AuthStatus");
    add(r, "/auth/authenticate", RpcProto.getDescriptor(), "Auth", "Authenticate");
    add(r, "/auth/user/add", RpcProto.getDescriptor(), "Auth", "UserAdd");
    add(r, "/auth/user/get", RpcProto.getDescriptor(), "Auth", "UserGet");
    add(r, "/auth/user/list", RpcProto.getDescriptor(), "Auth", "UserList");
    add(r, "/auth/user/delete", RpcProto.getDescriptor(), "Auth", "UserDelete");
    add(r, "/auth/user/changepw", RpcProto.getDescriptor(), "Auth", "UserChangePassword");
    add(r, "/auth/user/grant", RpcProto.getDescriptor(), "Auth", "UserGrantRole");
    add(r, "/auth/user/revoke", RpcProto.getDescriptor(), "Auth", "UserRevokeRole");
    add(r, "/auth/role/add", RpcProto.getDescriptor(), "Auth", "RoleAdd");
    add(r, "/auth/role/get", RpcProto.getDescriptor(), "Auth", "RoleGet");
    add(r, "/auth/role/list", RpcProto.getDescriptor(), "Auth", "RoleList");
    add(r, "/auth/role/delete", RpcProto.getDescriptor(), "Auth", "RoleDelete");
    add(r, "/auth/role/grant", RpcProto.getDescriptor(), "Auth", "RoleGrantPermission");
    add(r, "/auth/role/revoke", RpcProto.getDescriptor(), "Auth", "RoleRevokePermission");
    add(r, "/lock/lock", V3LockProto.getDescriptor(), "Lock", "Lock");
    add(r, "/lock/unlock", V3LockProto.getDescriptor(), "Lock", "Unlock");
    add(r, "/election/campaign", V3ElectionProto.getDescriptor(), "Election", "Campaign");
    add(r, "/election/proclaim", V3ElectionProto.getDescriptor(), "Election", "Proclaim");
    add(r, "/election/leader", V3ElectionProto.getDescriptor(), "Election", "Leader");
    add(r, "/election/observe", V3ElectionProto.getDescriptor(), "Election", "Observe");
    add(r, "/election/resign", V3ElectionProto.getDescriptor(), "Election", "Resign");
    return List.copyOf(r);
  }

  private static void add(List<HttpRoute> routes, String path, FileDescriptor file, String service, String method) {
    ServiceDescriptor s = file.findServiceByName(service);
    MethodDescriptor m = s == null ? null : s.findMethodByName(method);
    if (m == null) {
      throw new IllegalStateException("no RPC " + service + "/" + method + " in " + file.getName());
    }
    routes.add(new HttpRoute("/v3" + path, m, service));
  }
}
