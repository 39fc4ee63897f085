package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import io.keyway.api.EtcdError;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The unary RPCs this build implements, by gRPC full name. Both transports are built from this table: a
 * method that is not in it answers Unimplemented over gRPC and 501 over HTTP.
 */
public final class EtcdRpcs {
  private final Map<String, UnaryRpc<?, ?>> byName = new LinkedHashMap<>();
  private final Map<String, ServerStreamRpc<?, ?>> streamsByName = new LinkedHashMap<>();
  private EtcdMaintenance maintenance;
  private MemberView view;
  private RpcGate gate;
  private volatile CallObserver observer;

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

  /** Puts an access check (auth) in front of every RPC. */
  public EtcdRpcs withGate(RpcGate gate) {
    this.gate = gate;
    return this;
  }

  /** Sees every unary call on its way in and its answer (metrics); must not block. */
  @FunctionalInterface
  public interface CallObserver {
    CompletionStage<? extends Message> observe(String fullName, Message request,
        Supplier<CompletionStage<? extends Message>> call);
  }

  /** Puts an observer around every unary call, whichever path (gate or not) serves it. */
  public EtcdRpcs withObserver(CallObserver observer) {
    this.observer = observer;
    return this;
  }

  /** Runs a unary RPC for the caller that presented {@code token} (null: none), through the gate if any. */
  public CompletionStage<? extends Message> invoke(UnaryRpc<?, ?> rpc, Message request, String token) {
    CallObserver o = observer;
    return o == null ? call(rpc, request, token) : o.observe(rpc.fullName(), request, () -> call(rpc, request, token));
  }

  private CompletionStage<? extends Message> call(UnaryRpc<?, ?> rpc, Message request, String token) {
    if (gate == null) {
      return rpc.invoke(request);
    }
    // the gate may call the KV service directly (to carry the caller into the log): refuse learners first, as
    // etcd's interceptor runs before its auth checks
    if (view != null && view.isLearner() && !LearnerGuard.supportedForLearner(request)) {
      return CompletableFuture.failedFuture(EtcdError.NOT_SUPPORTED_FOR_LEARNER.exception());
    }
    return gate.invoke(rpc, request, token);
  }

  /** Starts a server stream for the caller behind {@code token}; a refused caller's sink fails instead. */
  public Runnable startStream(ServerStreamRpc<?, ?> rpc, com.google.protobuf.Message request,
      StreamSink<?> sink, String token) {
    io.keyway.api.EtcdException refused = gate == null ? null : gate.refuseStream(rpc.fullName(), request, token);
    if (refused != null) {
      sink.fail(refused);
      return () -> { };
    }
    @SuppressWarnings("unchecked")
    StreamSink<Object> s = (StreamSink<Object>) sink;
    return rpc.start(request, s);
  }

  /** {@code rpc} for the caller behind {@code token}: the gate decides before the stream starts. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public ServerStreamRpc<?, ?> forCaller(ServerStreamRpc<?, ?> rpc, String token) {
    if (gate == null) {
      return rpc;
    }
    return new ServerStreamRpc(rpc.service(), rpc.method(), rpc.requestPrototype(),
        (request, sink) -> startStream(rpc, (com.google.protobuf.Message) request, (StreamSink<?>) sink, token));
  }

  /** The Lease service for the caller behind {@code token}: keep-alives pass the gate first. */
  public io.keyway.raft.EtcdLease leaseFor(io.keyway.raft.EtcdLease lease, String token) {
    return gate == null || lease == null ? lease : new CallerLease(lease, id -> gate.refuseKeepAlive(token, id));
  }

  /** @param fullName e.g. {@code etcdserverpb.KV/Range}; null when this build does not implement it */
  public UnaryRpc<?, ?> find(String fullName) {
    return byName.get(fullName);
  }

  public Collection<UnaryRpc<?, ?>> all() {
    return Collections.unmodifiableCollection(byName.values());
  }
}
