package io.keyway.gateway.rpc;

import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.MemberListRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.StatusRequest;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdMaintenance;
import io.keyway.raft.MemberView;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The unary RPCs this build implements, by gRPC full name. Both transports are built from this table: a
 * method that is not in it answers Unimplemented over gRPC and 501 over HTTP.
 */
public final class EtcdRpcs {
  private final Map<String, UnaryRpc<?, ?>> byName = new LinkedHashMap<>();
  private final Map<String, ServerStreamRpc<?, ?>> streamsByName = new LinkedHashMap<>();
  private EtcdMaintenance maintenance;
  private MemberView view;

  private EtcdRpcs() {}

  public static EtcdRpcs create(EtcdKv kv, MemberView view, List<String> advertiseClientUrls) {
    MemberStatus members = new MemberStatus(view, advertiseClientUrls);
    EtcdRpcs rpcs = new EtcdRpcs();
    rpcs.view = view;
    return rpcs
        .add(new UnaryRpc<>("etcdserverpb.KV", "Range", RangeRequest.getDefaultInstance(), kv::range))
        .add(new UnaryRpc<>("etcdserverpb.KV", "Put", PutRequest.getDefaultInstance(), kv::put))
        .add(new UnaryRpc<>("etcdserverpb.KV", "DeleteRange", DeleteRangeRequest.getDefaultInstance(),
            kv::deleteRange))
        .add(new UnaryRpc<>("etcdserverpb.KV", "Txn", TxnRequest.getDefaultInstance(), kv::txn))
        .add(new UnaryRpc<>("etcdserverpb.KV", "Compact", CompactionRequest.getDefaultInstance(), kv::compact))
        .add(new UnaryRpc<>("etcdserverpb.Maintenance", "Status", StatusRequest.getDefaultInstance(),
            members::status))
        .add(new UnaryRpc<>("etcdserverpb.Cluster", "MemberList", MemberListRequest.getDefaultInstance(),
            members::memberList));
  }

  /**
   * Adds or replaces an RPC; later modules (lease, auth, ...) register theirs this way. Every RPC is guarded as
   * etcd's interceptor does: a learner answers only Status and serializable Range.
   */
  public EtcdRpcs add(UnaryRpc<?, ?> rpc) {
    byName.put(rpc.fullName(), LearnerGuard.wrap(rpc, () -> view != null && view.isLearner()));
    return this;
  }

  /** Adds or replaces a server-streaming RPC (one request, many responses: Election/Observe). */
  public EtcdRpcs addStream(ServerStreamRpc<?, ?> rpc) {
    streamsByName.put(rpc.fullName(), rpc);
    return this;
  }

  /** @param fullName e.g. {@code v3electionpb.Election/Observe}; null when not a server stream of this build */
  public ServerStreamRpc<?, ?> findStream(String fullName) {
    return streamsByName.get(fullName);
  }

  public Collection<ServerStreamRpc<?, ?>> streams() {
    return Collections.unmodifiableCollection(streamsByName.values());
  }

  /** Records the Maintenance service, whose alarms the health endpoints check. */
  public EtcdRpcs withMaintenance(EtcdMaintenance maintenance) {
    this.maintenance = maintenance;
    return this;
  }

  /** The Maintenance service; null when not served. */
  public EtcdMaintenance maintenance() {
    return maintenance;
  }

  /** @param fullName e.g. {@code etcdserverpb.KV/Range}; null when this build does not implement it */
  public UnaryRpc<?, ?> find(String fullName) {
    return byName.get(fullName);
  }

  public Collection<UnaryRpc<?, ?>> all() {
    return Collections.unmodifiableCollection(byName.values());
  }
}
