package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
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
  /** The bidirectional streams, served by their own services rather than from this table. */
  public static final String WATCH = "etcdserverpb.Watch/Watch";
  public static final String KEEP_ALIVE = LeaseRpcs.KEEP_ALIVE;

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

  /** Adds or replaces an RPC; later modules (lease, auth, ...) register theirs this way. */
  public EtcdRpcs add(UnaryRpc<?, ?> rpc) {
    byName.put(rpc.fullName(), rpc);
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

  /** etcd's require-leader metadata key and value (gRPC metadata; {@code Grpc-Metadata-Hasleader} over HTTP). */
  public static final String REQUIRE_LEADER = "hasleader";

  /** Whether a call's metadata value for {@link #REQUIRE_LEADER} asks for a leader. */
  public static boolean requiresLeader(String value) {
    return "true".equals(value);
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

  /**
   * Runs a unary RPC for the caller that presented {@code token} (null: none), through the gate if any. A
   * learner refuses first, as etcd's learner interceptor runs before its metrics and auth.
   */
  public CompletionStage<? extends Message> invoke(UnaryRpc<?, ?> rpc, Message request, String token) {
    return invoke(rpc, request, token, false);
  }

  /**
   * {@link #invoke(UnaryRpc, Message, String)} for a caller that may have sent etcd's require-leader metadata
   * ({@code hasleader: true}, what clientv3's WithRequireLeader sends): it then gets "no leader" at once while
   * this member knows no leader, instead of waiting for the request timeout, and can try another member.
   */
  public CompletionStage<? extends Message> invoke(UnaryRpc<?, ?> rpc, Message request, String token,
      boolean requireLeader) {
    if (isLearner() && !LearnerGuard.servesUnary(request)) {
      return CompletableFuture.failedFuture(EtcdError.NOT_SUPPORTED_FOR_LEARNER.exception());
    }
    if (requireLeader && view != null && view.leaderId() == 0) {
      return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
    }
    CallObserver o = observer;
    return o == null ? call(rpc, request, token) : o.observe(rpc.fullName(), request, () -> call(rpc, request, token));
  }

  private CompletionStage<? extends Message> call(UnaryRpc<?, ?> rpc, Message request, String token) {
    if (gate == null) {
      return rpc.invoke(request);
    }
    // an RPC served as a client of the member is checked step by step, as its caller (etcd's Lock, Election)
    return rpc.actsAsClient() ? rpc.invokeAs(gate.clientFor(token), request) : gate.invoke(rpc, request, token);
  }

  /**
   * Why this member refuses to open stream {@code fullName} (Watch, LeaseKeepAlive, a server stream) for any
   * caller; null when it serves it, or when {@code fullName} is not a stream. Every transport asks here before
   * a stream starts: etcd's stream interceptor refuses every stream but Snapshot on a learner.
   */
  public EtcdException refuseStream(String fullName) {
    boolean stream = streamsByName.containsKey(fullName) || WATCH.equals(fullName) || KEEP_ALIVE.equals(fullName);
    return stream && isLearner() && !LearnerGuard.servesStream(fullName)
        ? EtcdError.NOT_SUPPORTED_FOR_LEARNER.exception() : null;
  }

  private boolean isLearner() {
    return view != null && view.isLearner();
  }

  /** Starts a server stream for the caller behind {@code token}; a refused caller's sink fails instead. */
  public Runnable startStream(ServerStreamRpc<?, ?> rpc, com.google.protobuf.Message request,
      StreamSink<?> sink, String token) {
    EtcdException refused = refuseStream(rpc.fullName());
    if (refused == null && gate != null && !rpc.actsAsClient()) {
      refused = gate.refuseStream(rpc.fullName(), request, token);
    }
    if (refused != null) {
      sink.fail(refused);
      return () -> { };
    }
    @SuppressWarnings("unchecked")
    StreamSink<Object> s = (StreamSink<Object>) sink;
    // a stream served as a client runs as its caller: its reads are checked as they happen (etcd's Observe)
    return gate != null && rpc.actsAsClient() ? rpc.startAs(gate.clientFor(token), request, s)
        : rpc.start(request, s);
  }

  /** {@code rpc} for the caller behind {@code token}: a learner and the gate decide before the stream starts. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public ServerStreamRpc<?, ?> forCaller(ServerStreamRpc<?, ?> rpc, String token) {
    return new ServerStreamRpc(rpc.service(), rpc.method(), rpc.requestPrototype(),
        (request, sink) -> startStream(rpc, (com.google.protobuf.Message) request, (StreamSink<?>) sink, token));
  }

  /**
   * The Lease service for a new keep-alive stream of the caller behind {@code token}: keep-alives pass the gate
   * first.
   *
   * @throws EtcdException when this member refuses keep-alive streams ({@link #refuseStream})
   */
  public io.keyway.raft.EtcdLease leaseFor(io.keyway.raft.EtcdLease lease, String token) {
    EtcdException refused = refuseStream(KEEP_ALIVE);
    if (refused != null) {
      throw refused;
    }
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
