package io.keyway.raft;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmRequest;
import io.keyway.api.etcdserverpb.AlarmResponse;
import io.keyway.api.etcdserverpb.AlarmType;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.DefragmentRequest;
import io.keyway.api.etcdserverpb.DefragmentResponse;
import io.keyway.api.etcdserverpb.HashKVRequest;
import io.keyway.api.etcdserverpb.HashKVResponse;
import io.keyway.api.etcdserverpb.HashRequest;
import io.keyway.api.etcdserverpb.HashResponse;
import io.keyway.api.etcdserverpb.LeaseCheckpoint;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseLeasesResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeResponse;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.api.etcdserverpb.MemberAddRequest;
import io.keyway.api.etcdserverpb.MemberAddResponse;
import io.keyway.api.etcdserverpb.MemberListRequest;
import io.keyway.api.etcdserverpb.MemberListResponse;
import io.keyway.api.etcdserverpb.MemberPromoteRequest;
import io.keyway.api.etcdserverpb.MemberPromoteResponse;
import io.keyway.api.etcdserverpb.MemberRemoveRequest;
import io.keyway.api.etcdserverpb.MemberRemoveResponse;
import io.keyway.api.etcdserverpb.MemberUpdateRequest;
import io.keyway.api.etcdserverpb.MemberUpdateResponse;
import io.keyway.api.etcdserverpb.MoveLeaderRequest;
import io.keyway.api.etcdserverpb.MoveLeaderResponse;
import io.keyway.api.raftpb.ClusterInfo;
import io.keyway.api.raftpb.MemberChange;
import io.keyway.raft.auth.AuthService;
import io.keyway.raft.auth.AuthTokens;
import io.keyway.raft.auth.TokenIssuer;
import io.keyway.raft.cluster.ClusterIdentity;
import io.keyway.raft.cluster.ClusterIds;
import io.keyway.raft.cluster.ClusterJoin;
import io.keyway.raft.cluster.ClusterQueries;
import io.keyway.raft.cluster.ClusterService;
import io.keyway.raft.cluster.InitialCluster;
import io.keyway.raft.cluster.MemberInfo;
import io.keyway.raft.cluster.MemberTable;
import io.keyway.raft.cluster.PeerUrls;
import io.keyway.raft.cluster.RaftMembership;
import io.keyway.raft.cluster.Reconciler;
import io.keyway.raft.statemachine.MemberApplier;
import io.keyway.raft.lease.LeaseCheckpoints;
import io.keyway.raft.lease.LeaseExpiry;
import io.keyway.raft.lease.LeaseQueries;
import io.keyway.raft.lease.LeaseService;
import io.keyway.api.etcdserverpb.AlarmRequest.AlarmAction;
import io.keyway.raft.maintenance.AlarmTable;
import io.keyway.raft.maintenance.AutoCompactor;
import io.keyway.raft.maintenance.BackendQuota;
import io.keyway.raft.maintenance.MaintenanceService;
import io.keyway.raft.maintenance.SnapshotFile;
import io.keyway.raft.propose.Proposer;
import io.keyway.raft.propose.RaftEndpoint;
import io.keyway.raft.propose.ReadBarrier;
import io.keyway.raft.propose.RequestIds;
import io.keyway.raft.statemachine.AlarmApplier;
import io.keyway.raft.statemachine.AuthApplier;
import io.keyway.raft.statemachine.KeywayStateMachine;
import io.keyway.raft.statemachine.KvApplier;
import io.keyway.raft.statemachine.LeaderEvents;
import io.keyway.raft.statemachine.LeaseApplier;
import io.keyway.raft.storage.StoreDirs;
import io.keyway.raft.storage.StoreOpener;
import io.keyway.raft.storage.SwappableKvStore;
import io.keyway.store.KvStore;
import io.keyway.store.RequestChecks;
import io.keyway.store.auth.AuthInfo;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.auth.RequestPermissions;
import io.keyway.api.raftpb.RequestHeader;
import io.keyway.store.lease.Lessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.NodeManager;
import com.alipay.sofa.jraft.RaftServiceFactory;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.google.protobuf.ByteString;
import io.keyway.raft.transport.PeerRpc;
import io.keyway.raft.transport.PeerTlsChannels;
import io.keyway.raft.transport.PeerTlsRpcFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running member: the MVCC store replicated with SOFAJRaft, offered as etcd's KV and Lease services
 * ({@link EtcdKv}, {@link EtcdLease}) and described by {@link MemberView}.
 *
 * <p>Start with {@link #start(NodeConfig)}; {@link #close()} stops Raft (applying what is committed and taking a
 * final snapshot) and then closes the store. Writes are group-committed through Raft and complete after they are
 * applied on this member; linearizable ranges use ReadIndex; serializable ranges read the local store.
 */
public final class KeywayNode implements EtcdKv, EtcdLease, EtcdMaintenance, EtcdCluster, MemberView, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeywayNode.class);

  private final NodeConfig config;
  /** null: the peer port is plaintext (no --peer-* TLS flags) */
  private final PeerTlsChannels peerTls;
  private final ClusterIdentity identity;
  private final SwappableKvStore store;
  private final Lessor lessor;
  private final AlarmTable alarms;
  private final BackendQuota quota;
  private final AuthStore authStore;
  private final TokenIssuer tokens;
  private final RequestPermissions permissions;
  private volatile AuthService auth;
  private final ExecutorService completions;
  private final ExecutorService reads;
  private final ScheduledExecutorService timers;
  private final Proposer proposer;
  private final RequestIds requestIds;
  private final AtomicBoolean closed = new AtomicBoolean();
  private Node node;
  private RpcServer rpcServer;
  private Endpoint selfEndpoint;
  private Configuration initialConf;
  private KeywayStateMachine stateMachine;
  private final AtomicBoolean snapshotting = new AtomicBoolean();
  private volatile long lastSnapshotIndex;
  private volatile RaftEndpoint raft;
  private ReadBarrier readBarrier;
  private volatile LeaseService leases;
  private volatile MaintenanceService maintenance;
  private LeaseExpiry leaseExpiry;
  private LeaseCheckpoints leaseCheckpoints;
  private AutoCompactor autoCompactor;
  private volatile List<String> clientUrls;
  private final MemberTable memberTable;
  /** Joining an existing cluster: JRaft starts with no configuration and waits for the leader to add it. */
  private boolean joining;
  private RaftMembership membership;
  private volatile ClusterService cluster;
  private Reconciler reconciler;
  private volatile Runnable onRemoved = () -> {};
  private volatile long removedSinceNanos;

  private KeywayNode(NodeConfig config, ClusterIdentity identity, SwappableKvStore store,
      PeerTlsChannels peerTls) {
    this.config = config;
    this.peerTls = peerTls;
    this.identity = identity;
    this.store = store;
    // before Raft starts: replayed entries must find the leases the store holds
    this.lessor = Lessor.open(store, config.minLeaseTtlSeconds(), Lessor::monotonicMillis);
    if (config.leaseCheckpoint() && !config.leaseCheckpointPersist()) {
      LOG.warn("Detected that checkpointing is enabled without persistence. Consider enabling "
          + "experimental-enable-lease-checkpoint-persist");
    }
    if (config.leaseCheckpoint()) {
      // installed before Raft starts so the first promotion already schedules checkpoints; proposals go
      // through the lease service once it exists (until then this member cannot have promoted anything due)
      lessor.enableCheckpoints(this::proposeCheckpoints, config.leaseCheckpointIntervalMs(),
          config.leaseCheckpointPersist());
    }
    this.alarms = AlarmTable.open(store);
    List<Member> bootstrap = new ArrayList<>();
    for (MemberInfo m : identity.members()) {
      bootstrap.add(Member.newBuilder().setID(m.id()).setName(m.name()).addAllPeerURLs(m.peerUrls())
          .setIsLearner(m.learner()).build());
    }
    this.memberTable = MemberTable.open(store, bootstrap);
    this.quota = BackendQuota.of(config.quotaBackendBytes(), store::sizeOnDisk);
    this.authStore = AuthStore.open(store);
    this.tokens = AuthTokens.create(config.authToken(), config.authTokenTtlSeconds());
    if (tokens instanceof AuthStore.TokenInvalidation invalidation) { // simple tokens live in memory
      authStore.setTokenInvalidation(invalidation);
    }
    Thread warmUp = new Thread(tokens::warmUp, "keyway-token-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
    this.permissions = new RequestPermissions(authStore, this::leaseKeys);
    this.clientUrls = config.advertiseClientUrls();
    this.completions = Executors.newFixedThreadPool(2, threads("keyway-complete"));
    this.reads = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        threads("keyway-read"));
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, threads("keyway-raft-timer"));
    timer.setRemoveOnCancelPolicy(true);
    this.timers = timer;
    this.proposer = new Proposer(config.maxRequestBytes(), config.requestTimeoutMs(), completions, timers);
    this.requestIds = new RequestIds(identity.memberId());
  }

  /** Starts a member on the RocksDB store in {@code <dataDir>/member/store}. */
  public static KeywayNode start(NodeConfig config) throws IOException {
    return start(config, DefaultStore.opener(config));
  }

  /** Starts a member on the store {@code opener} opens (tests, alternative engines). */
  public static KeywayNode start(NodeConfig config, StoreOpener opener) throws IOException {
    KeywayNode node = open(config, opener);
    try {
      node.startRaft();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  /**
   * Opens a member on the RocksDB store without starting Raft yet: it serves serializable reads from its store
   * at once and answers everything that needs Raft as a member without a leader until {@link #startRaft()}
   * is done, so a restarted member's client listeners can open while Raft starts.
   */
  public static KeywayNode open(NodeConfig config) throws IOException {
    return open(config, DefaultStore.opener(config));
  }

  /** {@link #open(NodeConfig)} on the store {@code opener} opens. */
  public static KeywayNode open(NodeConfig config, StoreOpener opener) throws IOException {
    Files.createDirectories(config.memberDir());
    PeerTlsChannels peerTls = null;
    if (config.peerTls() != null) {
      PeerTlsRpcFactory.requireThisFactory();
      peerTls = PeerTlsChannels.of(config.peerTls());
    }
    ClusterIdentity identity = ClusterIdentity.load(config.memberDir());
    ClusterInfo joined = null;
    if (identity == null && NodeConfig.STATE_EXISTING.equals(config.initialClusterState())) {
      joined = join(config, peerTls);
      identity = joinedIdentity(config, joined);
      identity.save(config.memberDir());
    } else if (identity == null) {
      identity = ClusterIdentity.bootstrap(config.name(), config.initialCluster(), config.initialClusterToken(),
          config.initialAdvertisePeerUrls());
      // like etcd, only a member without data looks at --initial-cluster: a restart uses what it recorded (and
      // does not spend a peer round trip, or a connect timeout to a dead peer, before serving)
      refuseForeignPeers(config, identity, peerTls);
      identity.save(config.memberDir());
    }
    if (!identity.name().equals(config.name())) {
      LOG.warn("data dir {} belongs to member {}; ignoring --name {}", config.dataDir(), identity.name(),
          config.name());
    }
    StoreDirs.cleanLeftovers(config.storeDir());
    SwappableKvStore store = new SwappableKvStore(config.storeDir(), opener);
    KeywayNode node = new KeywayNode(config, identity, store, peerTls);
    node.joining = joined != null || (NodeConfig.STATE_EXISTING.equals(config.initialClusterState())
        && !Files.exists(config.raftDir().resolve("meta")));
    try {
      node.prepareRaft();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  /** Starts Raft: the peer port, then the JRaft node (its log, its snapshot, its election timer). */
  public void startRaft() throws IOException {
    rpcServer = listenForPeers(raft.handler(this::answerQuery, completions));
    if (!node.init(JRaftSettings.node(config, initialConf, stateMachine, peerTls))) {
      throw new IOException("Raft did not start (see the log above)");
    }
    raft.markStarted();
    // leadership may have been ready before the services were set up
    completions.execute(this::initMembersIfNeeded);
    LOG.info("member {} ({}) of cluster {} started, peer address {}", ClusterIds.hex(identity.memberId()),
        identity.name(), ClusterIds.hex(identity.clusterId()), identity.self().raftAddress());
  }

  /** Everything around the JRaft node, which is created but not started. */
  private void prepareRaft() throws IOException {
    String groupId = groupId(identity.clusterToken());
    initialConf = new Configuration();
    if (!joining) {
      for (MemberInfo m : identity.members()) {
        PeerId p = PeerId.parsePeer(m.raftAddress());
        if (m.learner()) {
          initialConf.addLearner(p);
        } else {
          initialConf.addPeer(p);
        }
      }
    }

    // etcd promotes its lessor with an extension of one election timeout once the new leader applied its
    // first entry, and demotes it whenever this member stops leading
    LeaderEvents leaderEvents = new LeaderEvents() {
      @Override public void leaderReady() {
        lessor.promote(config.electionTimeoutMs());
        completions.execute(KeywayNode.this::initMembersIfNeeded);
      }
      @Override public void notLeader() { lessor.demote(); }
    };
    stateMachine = new KeywayStateMachine(store,
        new AuthApplier(permissions, tokens, store,
            new AlarmApplier(alarms, store, new MemberApplier(memberTable,
                new LeaseApplier(lessor, new KvApplier(store))))),
        proposer, completions, leaderEvents);
    stateMachine.afterApply(this::snapshotIfDue);
    Files.createDirectories(config.raftDir());
    // JRaft names a member by its address: the one the replicated member list has now (MemberUpdate moves it)
    Member listed = memberTable.find(identity.memberId());
    PeerId self = PeerId.parsePeer(listed != null && listed.getPeerURLsCount() > 0
        ? PeerUrls.hostPort(listed.getPeerURLs(0)) : identity.self().raftAddress());
    selfEndpoint = new Endpoint(self.getIp(), PeerUrls.port(config.listenPeerUrls().get(0)));
    PeerRpc peerRpc = PeerRpc.client(peerTls);
    // JRaft finds a node's RPC server by the node's address: the advertised one
    NodeManager.getInstance().addAddress(self.getEndpoint());
    node = RaftServiceFactory.createRaftNode(groupId, self);
    raft = new RaftEndpoint(node, stateMachine, peerRpc, groupId,
        Math.max(1000, config.requestTimeoutMs()), timers, config.heartbeatIntervalMs());
    readBarrier = new ReadBarrier(raft, reads, timers, config.requestTimeoutMs());
    proposer.start(raft);
    LeaseService service = new LeaseService(lessor, proposer, requestIds, raft, readBarrier, completions, reads,
        config.requestTimeoutMs(), this::header, this::header);
    leases = service;
    auth = new AuthService(permissions, tokens, proposer, requestIds, readBarrier, this::header,
        config.bcryptCost());
    auth.awaitTokensWith(raft::appliedIndex, raft::lastLogIndex, timers,
        config.requestTimeoutMs());
    maintenance = new MaintenanceService(store, alarms, this::propose, this::header,
        config.memberDir().resolve("maintenance"));
    leaseExpiry = new LeaseExpiry(lessor, service::confirmLeadership, service::proposeRevoke).start();
    if (config.leaseCheckpoint()) {
      leaseCheckpoints = new LeaseCheckpoints(lessor, this::proposeCheckpoints).start();
    }
    membership = new RaftMembership(raft, memberTable);
    cluster = new ClusterService(memberTable, membership, raft, readBarrier,
        r -> this.<Object>propose(r), this::header, completions, identity.memberId(), identity.clusterId(),
        identity.clusterToken(), config.maxLearners(), config.requestTimeoutMs());
    reconciler = new Reconciler(raft, memberTable).start();
    memberTable.onChange(members -> {
      reconciler.poke();
      try {
        timers.execute(this::publishAndWatch); // publish right after INIT (or notice a removal) without a tick's wait
      } catch (RejectedExecutionException stopping) {
        // closing
      }
    });
    timers.scheduleWithFixedDelay(this::publishAndWatch, 200, 500, TimeUnit.MILLISECONDS);
    autoCompactor = AutoCompactor.start(config.autoCompactionMode(), config.autoCompactionRetention(),
        store::revision, raft::isLeader, this::compact, config.requestTimeoutMs());
  }

  /**
   * The peer port: JRaft's RPCs and Keyway's peer calls. A member restarted in the same JVM may find its port
   * not released yet (Bolt closes its server asynchronously): it tries again for a few seconds.
   */
  private RpcServer listenForPeers(PeerRpc.Handler handler) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      RpcServer server = RaftRpcServerFactory.createRaftRpcServer(selfEndpoint);
      if (peerTls != null) {
        PeerTlsRpcFactory.secure(server, peerTls);
      }
      PeerRpc.serve(server, handler, completions);
      boolean started;
      try {
        started = server.init(null);
      } catch (RuntimeException e) {
        started = false;
      }
      if (started) {
        return server;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IOException("cannot listen for peers on " + selfEndpoint);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting", e);
      }
    }
  }

  /** Takes a snapshot (a store checkpoint) every --snapshot-count entries, as etcd does. */
  private void snapshotIfDue(long applied) {
    if (applied - lastSnapshotIndex < config.snapshotCount() || !snapshotting.compareAndSet(false, true)) {
      return;
    }
    node.snapshot(status -> {
      if (status.isOk()) {
        lastSnapshotIndex = applied;
      } else {
        LOG.info("snapshot at log index {} not taken: {}", applied, status);
      }
      snapshotting.set(false);
    });
  }

  private CompletableFuture<ByteString> answerQuery(byte kind, ByteString body) {
    if (ClusterQueries.isClusterQuery(kind)) {
      ClusterService c = cluster;
      if (c == null) {
        return CompletableFuture.failedFuture(EtcdError.NOT_CAPABLE.exception());
      }
      return ClusterQueries.answer(kind, body, raft.isLeader(), c::info, c::checkOnLeader, raft::lastLogIndex);
    }
    return LeaseQueries.answer(lessor, kind, body);
  }

  private static ClusterInfo join(NodeConfig config, PeerTlsChannels peerTls) throws IOException {
    List<String> own = PeerUrls.normalize(config.initialAdvertisePeerUrls());
    LOG.info("joining an existing cluster: asking the peers in --initial-cluster for its members");
    return ClusterJoin.fetch(InitialCluster.parse(config.initialCluster()), own,
        Math.max(30_000, 10 * config.electionTimeoutMs()), peerTls);
  }

  private static ClusterIdentity joinedIdentity(NodeConfig config, ClusterInfo info) {
    List<String> own = PeerUrls.normalize(config.initialAdvertisePeerUrls());
    Member self = ClusterJoin.findSelf(info, own);
    if (self == null) {
      // etcd: the member must be added (etcdctl member add) before it starts with state existing
      throw new IllegalStateException("error validating peerURLs: member with peer URLs " + own
          + " has not been added to cluster " + ClusterIds.hex(info.getClusterId()) + " (run `etcdctl member add` "
          + "first)");
    }
    List<MemberInfo> members = new ArrayList<>();
    for (Member m : info.getMembersList()) {
      String name = m.getID() == self.getID() ? config.name() : m.getName();
      members.add(new MemberInfo(m.getID(), name, m.getPeerURLsList(), m.getIsLearner()));
    }
    return new ClusterIdentity(config.name(), self.getID(), info.getClusterId(), info.getClusterToken(), members);
  }

  /**
   * etcd's peers refuse a member of another cluster ("cluster ID mismatch"); here a member whose
   * --initial-cluster lists peers that serve another cluster's Raft group refuses to start.
   */
  private static void refuseForeignPeers(NodeConfig config, ClusterIdentity identity, PeerTlsChannels peerTls) {
    String ours = groupId(identity.clusterToken());
    List<String> own = PeerUrls.normalize(config.initialAdvertisePeerUrls());
    Map<String, List<String>> others = InitialCluster.parse(config.initialCluster());
    others.entrySet().removeIf(e -> e.getValue().equals(own) || e.getKey().equals(config.name()));
    if (others.isEmpty()) {
      return;
    }
    try (PeerRpc rpc = PeerRpc.client(peerTls)) {
      for (Map.Entry<String, List<String>> e : others.entrySet()) {
        String theirs = ClusterJoin.groupServedBy(rpc, e.getValue().get(0));
        if (theirs == null || theirs.equals(ours)) {
          continue;
        }
        throw new IllegalStateException(EtcdError.CLUSTER_ID_MISMATCH.message() + ": member " + identity.name()
            + " belongs to cluster " + ClusterIds.hex(identity.clusterId()) + ", but peer " + e.getKey() + " ("
            + e.getValue().get(0) + ") serves another cluster");
      }
    }
  }

  /** The first leader of a cluster writes the bootstrap members into the replicated member table. */
  private void initMembersIfNeeded() {
    if (closed.get() || memberTable.initialized() || raft == null || proposer == null || !raft.isLeader()) {
      return;
    }
    this.<Object>propose(RaftRequest.newBuilder().setMemberChange(memberTable.initChange()))
        .whenComplete((r, t) -> {
          if (t != null) {
            LOG.info("writing the initial member list failed (the next leader retries): {}", t.toString());
          }
        });
  }

  private volatile boolean publishing;
  private volatile boolean listedInTable;

  /**
   * etcd's publish: a started member announces its name and client URLs through Raft, so every member lists
   * them. Also notices when this member was removed from the cluster (etcd then stops the member).
   */
  private void publishAndWatch() {
    if (closed.get()) {
      return;
    }
    try {
      if (!memberTable.initialized()) {
        if (raft.leaderReady()) {
          completions.execute(this::initMembersIfNeeded);
        }
        return;
      }
      Member self = memberTable.find(identity.memberId());
      // a joining member applies the log from before it was added: absent from the table is only a removal
      // once it was listed
      if (self != null) {
        listedInTable = true;
      }
      if (self == null && listedInTable) {
        watchRemoval();
        return;
      }
      if (self == null) {
        return;
      }
      if (raft.leaderKnown()) {
        leaderUnknownSinceNanos = 0;
      } else {
        askPeersWhetherRemoved();
      }
      boolean current = self.getName().equals(identity.name()) && self.getClientURLsList().equals(clientUrls);
      if (current || publishing || !raft.leaderKnown()) {
        return;
      }
      publishing = true;
      Member attrs = Member.newBuilder().setID(identity.memberId()).setName(identity.name())
          .addAllClientURLs(clientUrls).build();
      this.<Object>propose(RaftRequest.newBuilder().setMemberChange(
              MemberChange.newBuilder().setKind(MemberChange.Kind.PUBLISH).setMember(attrs)))
          .whenComplete((r, t) -> {
            publishing = false;
            if (t != null) {
              LOG.debug("publishing this member's attributes failed (will retry): {}", t.toString());
            } else {
              LOG.info("published local member to cluster through raft: name={} clientURLs={}", identity.name(),
                  clientUrls);
            }
          });
    } catch (RuntimeException e) {
      LOG.warn("member publish/removal check failed: {}", e.toString());
    }
  }

  private volatile long leaderUnknownSinceNanos;
  private final AtomicBoolean askingPeers = new AtomicBoolean();

  /**
   * A member removed from the cluster may never apply its own removal: once JRaft's configuration no longer holds
   * it, no leader sends it the commit. Like etcd's peers telling a removed member so, the others answer its
   * question: after two election timeouts without a leader it asks them for the member list.
   */
  private void askPeersWhetherRemoved() {
    long now = System.nanoTime();
    if (leaderUnknownSinceNanos == 0) {
      leaderUnknownSinceNanos = now;
      return;
    }
    if (now - leaderUnknownSinceNanos < TimeUnit.MILLISECONDS.toNanos(2 * config.electionTimeoutMs())
        || !askingPeers.compareAndSet(false, true)) {
      return;
    }
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (Member m : memberTable.members()) {
      if (m.getID() == identity.memberId() || m.getPeerURLsCount() == 0) {
        continue;
      }
      calls.add(raft.call(RaftMembership.peerOf(m).getEndpoint(), ClusterQueries.INFO, ByteString.EMPTY)
          .thenAccept(reply -> {
            ClusterInfo info = ClusterQueries.infoReply(reply);
            boolean listed = info.getMembersList().stream().anyMatch(x -> x.getID() == identity.memberId());
            if (info.getClusterId() == identity.clusterId() && !listed && !closed.get()) {
              timers.execute(this::watchRemoval);
            }
          }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
        .whenComplete((r, t) -> askingPeers.set(false));
  }

  /**
   * A removed member stops serving, as etcd's does. A removed leader first waits (a little) until the new Raft
   * configuration without it is in place, so the others need not wait for an election timeout.
   */
  private void watchRemoval() {
    long now = System.nanoTime();
    if (removedSinceNanos == 0) {
      removedSinceNanos = now;
    }
    boolean stillVoting = membership.votes(identity.memberId());
    if (raft.isLeader() && stillVoting && now - removedSinceNanos < TimeUnit.SECONDS.toNanos(10)) {
      return;
    }
    LOG.warn("the member has been permanently removed from the cluster");
    Runnable r = onRemoved;
    onRemoved = () -> {};
    new Thread(r, "keyway-removed").start();
  }

  /** What to do once this member was removed from the cluster (the server exits). */
  public void onRemoved(Runnable action) {
    this.onRemoved = action;
  }

  private CompletableFuture<?> proposeCheckpoints(List<LeaseCheckpoint> checkpoints) {
    LeaseService s = leaseService();
    return s == null ? CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception())
        : s.proposeCheckpoints(checkpoints);
  }

  /** The Raft group of a cluster: one per cluster token, so members bootstrapped together find each other. */
  static String groupId(String clusterToken) {
    return "keyway-" + UUID.nameUUIDFromBytes(("keyway-raft-group/" + clusterToken).getBytes(StandardCharsets.UTF_8));
  }

  // ---- EtcdKv -----------------------------------------------------------------------------------------------

  @Override
  public CompletableFuture<RangeResponse> range(RangeRequest request) {
    try {
      RequestChecks.checkRange(request);
    } catch (EtcdException e) {
      return CompletableFuture.failedFuture(e);
    }
    return read(request.getSerializable(), () -> {
      RangeResponse r = store.range(request);
      return r.toBuilder().setHeader(header(r.getHeader())).build();
    });
  }

  /** Serializable reads run on the local store right away; the others after a ReadIndex barrier. */
  private <T> CompletableFuture<T> read(boolean serializable, Supplier<T> op) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
    }
    try {
      return serializable ? CompletableFuture.supplyAsync(op, reads) : readBarrier.thenRead(op);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
    }
  }

  @Override
  public CompletableFuture<PutResponse> put(PutRequest request) {
    return put(request, null);
  }

  private CompletableFuture<PutResponse> put(PutRequest request, RequestHeader caller) {
    if (overQuota(BackendQuota.cost(request))) {
      return noSpace();
    }
    try {
      RequestChecks.checkPut(request);
    } catch (EtcdException e) {
      return CompletableFuture.failedFuture(e);
    }
    return this.<PutResponse>propose(withCaller(RaftRequest.newBuilder().setPut(request), caller))
        .thenApply(r -> r.toBuilder().setHeader(header(r.getHeader())).build());
  }

  @Override
  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
    return deleteRange(request, null);
  }

  private CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request, RequestHeader caller) {
    try {
      RequestChecks.checkDeleteRange(request);
    } catch (EtcdException e) {
      return CompletableFuture.failedFuture(e);
    }
    return this.<DeleteRangeResponse>propose(
            withCaller(RaftRequest.newBuilder().setDeleteRange(request), caller))
        .thenApply(r -> r.toBuilder().setHeader(header(r.getHeader())).build());
  }

  /** Read-only txns are served locally like ranges (as etcd does); the others go through the log. */
  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    return txn(request, null);
  }

  private CompletableFuture<TxnResponse> txn(TxnRequest request, RequestHeader caller) {
    if (overQuota(BackendQuota.cost(request))) {
      return noSpace();
    }
    try {
      RequestChecks.checkTxn(request, config.maxTxnOps());
    } catch (EtcdException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (RequestChecks.isReadOnly(request)) {
      return read(RequestChecks.isSerializable(request), () -> {
        TxnResponse r = store.readTxn(request);
        return r.toBuilder().setHeader(header(r.getHeader())).build();
      });
    }
    return this.<TxnResponse>propose(withCaller(RaftRequest.newBuilder().setTxn(request), caller))
        .thenApply(r -> r.toBuilder().setHeader(header(r.getHeader())).build());
  }

  @Override
  public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
    return compact(request, null);
  }

  private CompletableFuture<CompactionResponse> compact(CompactionRequest request, RequestHeader caller) {
    return this.<CompactionResponse>propose(
            withCaller(RaftRequest.newBuilder().setCompaction(request), caller))
        .thenApply(r -> r.toBuilder().setHeader(header(r.getHeader())).build());
  }

  private boolean overQuota(long cost) {
    if (closed.get()) {
      return false; // the write fails as stopped; the store may be gone already
    }
    return !quota.available(cost);
  }

  /**
   * A write that does not fit in the space quota raises NOSPACE for the whole cluster through Raft (so every
   * member refuses writes from the same log position on) and fails; as in etcd, the check runs on the member
   * that received the request, against its own store's size.
   */
  private <T> CompletableFuture<T> noSpace() {
    AlarmRequest raise = AlarmRequest.newBuilder().setMemberID(identity.memberId())
        .setAction(AlarmAction.ACTIVATE).setAlarm(AlarmType.NOSPACE).build();
    if (alarms.get(AlarmType.NOSPACE).stream().anyMatch(a -> a.getMemberID() == identity.memberId())) {
      return CompletableFuture.failedFuture(EtcdError.NO_SPACE.exception());
    }
    LOG.warn("backend size {} exceeds the quota of {} bytes: raising the NOSPACE alarm", store.sizeOnDisk(),
        quota.limit());
    return this.<Object>propose(RaftRequest.newBuilder().setAlarm(raise))
        .handle((ignored, failure) -> { throw EtcdError.NO_SPACE.exception(); });
  }

  /**
   * The KV service on behalf of a client: its writes carry the caller in their Raft header, so the apply
   * re-checks their permissions (etcd's authApplierV3). {@code who} is null while auth is disabled.
   */
  public EtcdKv as(AuthInfo who) {
    RequestHeader caller = AuthService.headerOf(0, who);
    return new EtcdKv() {
      @Override public CompletableFuture<RangeResponse> range(RangeRequest r) { return KeywayNode.this.range(r); }
      @Override public CompletableFuture<PutResponse> put(PutRequest r) { return KeywayNode.this.put(r, caller); }
      @Override public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
        return KeywayNode.this.deleteRange(r, caller);
      }
      @Override public CompletableFuture<TxnResponse> txn(TxnRequest r) { return KeywayNode.this.txn(r, caller); }
      @Override public CompletableFuture<CompactionResponse> compact(CompactionRequest r) {
        return KeywayNode.this.compact(r, caller);
      }
    };
  }

  private static RaftRequest.Builder withCaller(RaftRequest.Builder request, RequestHeader caller) {
    return caller == null ? request : request.setHeader(caller);
  }

  /** The keys attached to a lease on this member (permission checks of puts with a lease, revokes). */
  private List<com.google.protobuf.ByteString> leaseKeys(long leaseId) {
    LeaseTimeToLiveResponse ttl = lessor.timeToLive(leaseId, true);
    return ttl == null ? List.of() : ttl.getKeysList();
  }

  /** The Auth service and identity checks; null once closed. */
  public AuthService auth() {
    return closed.get() ? null : auth;
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> propose(RaftRequest.Builder request) {
    long id = requestIds.next();
    if (request.hasHeader()) {
      request.setHeader(request.getHeader().toBuilder().setId(id));
    }
    RaftRequest r = request.setId(id).build();
    EtcdException refused = alarms.refusal(r); // early; the applier decides for good
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    return proposer.propose(r).thenApply(result -> (T) result);
  }

  // ---- EtcdLease --------------------------------------------------------------------------------------------

  @Override
  public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
    return grant(request, null);
  }

  private CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request, RequestHeader caller) {
    if (overQuota(BackendQuota.cost(request))) {
      return noSpace();
    }
    LeaseService s = leaseService();
    return s == null ? stopped() : s.grant(request, caller);
  }

  @Override
  public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
    return revoke(request, null);
  }

  private CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request, RequestHeader caller) {
    LeaseService s = leaseService();
    return s == null ? stopped() : s.revoke(request, caller);
  }

  /**
   * The Lease service on behalf of a client: grants and revokes carry the caller in their Raft header, so the
   * apply re-checks them (a revoke needs WRITE on every key attached at that moment), as etcd's authApplierV3.
   * {@code who} is null while auth is disabled.
   */
  public EtcdLease leasesAs(AuthInfo who) {
    RequestHeader caller = AuthService.headerOf(0, who);
    return new EtcdLease() {
      @Override public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest r) {
        return KeywayNode.this.grant(r, caller);
      }
      @Override public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest r) {
        return KeywayNode.this.revoke(r, caller);
      }
      @Override public CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
        return KeywayNode.this.keepAlive(id);
      }
      @Override public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest r) {
        return KeywayNode.this.timeToLive(r);
      }
      @Override public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest r) {
        return KeywayNode.this.leases(r);
      }
    };
  }

  @Override
  public CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
    LeaseService s = leaseService();
    return s == null ? stopped() : s.keepAlive(id);
  }

  @Override
  public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
    LeaseService s = leaseService();
    return s == null ? stopped() : s.timeToLive(request);
  }

  @Override
  public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest request) {
    LeaseService s = leaseService();
    return s == null ? stopped() : s.leases(request);
  }

  // ---- EtcdMaintenance --------------------------------------------------------------------------------------

  @Override
  public CompletableFuture<HashResponse> hash(HashRequest request) {
    MaintenanceService m = maintenanceService();
    return m == null ? stopped() : m.hash(request);
  }

  @Override
  public CompletableFuture<HashKVResponse> hashKv(HashKVRequest request) {
    MaintenanceService m = maintenanceService();
    return m == null ? stopped() : m.hashKv(request);
  }

  @Override
  public CompletableFuture<DefragmentResponse> defragment(DefragmentRequest request) {
    MaintenanceService m = maintenanceService();
    return m == null ? stopped() : m.defragment(request);
  }

  @Override
  public CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
    MaintenanceService m = maintenanceService();
    return m == null ? stopped() : m.alarm(request);
  }

  @Override
  public List<AlarmMember> activeAlarms() {
    return alarms.get(AlarmType.NONE);
  }

  @Override
  public CompletableFuture<SnapshotFile> snapshot() {
    MaintenanceService m = maintenanceService();
    return m == null ? stopped() : m.snapshot();
  }

  private MaintenanceService maintenanceService() {
    return closed.get() ? null : maintenance;
  }

  private LeaseService leaseService() {
    return closed.get() ? null : leases;
  }

  private static <T> CompletableFuture<T> stopped() {
    return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
  }

  /** The store's header (its revision) completed with who answered. */
  private ResponseHeader header(ResponseHeader fromStore) {
    return fromStore.toBuilder()
        .setClusterId(identity.clusterId())
        .setMemberId(identity.memberId())
        .setRaftTerm(term())
        .build();
  }

  // ---- MemberView -------------------------------------------------------------------------------------------

  @Override
  public long clusterId() { return identity.clusterId(); }

  @Override
  public long memberId() { return identity.memberId(); }

  @Override
  public String name() { return identity.name(); }

  @Override
  public long term() { return raft.term(); }

  @Override
  public long leaderId() {
    if (raft.isLeader()) {
      return identity.memberId();
    }
    return membership == null ? 0 : membership.memberIdOf(raft.leader());
  }

  /** etcd's learner flag, from the member list (a joining voter is a JRaft learner or outside the group until it caught up). */
  @Override
  public boolean isLearner() {
    Member self = memberTable.find(identity.memberId());
    return self != null && self.getIsLearner();
  }

  /** Raft's commit index, as etcd reports it (raftIndex in Status). */
  @Override
  public long raftIndex() { return raft.commitIndex(); }

  /** Raft's applied index (JRaft's own entries included, which the store does not record). */
  @Override
  public long appliedIndex() { return Math.max(store.appliedIndex(), raft.appliedIndex()); }

  /** For tests: this member's JRaft node. */
  Node raftNode() { return node; }

  @Override
  public long revision() { return store.revision(); }

  @Override
  public long dbSize() { return store.sizeOnDisk(); }

  /** The replicated member list; this member's own client URLs show before its publish is applied. */
  @Override
  public long dbSizeInUse() { return store.sizeInUse(); }

  @Override
  public List<Member> members() {
    List<Member> out = new ArrayList<>();
    for (Member m : memberTable.members()) {
      if (m.getID() == identity.memberId() && m.getClientURLsCount() == 0) {
        m = m.toBuilder().setName(identity.name()).addAllClientURLs(clientUrls).build();
      }
      out.add(m);
    }
    return out;
  }

  // ---- EtcdCluster ------------------------------------------------------------------------------------------

  private ClusterService clusterService() {
    return closed.get() ? null : cluster;
  }

  @Override
  public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request) {
    ClusterService c = clusterService();
    return c == null ? stopped() : c.memberAdd(request);
  }

  @Override
  public CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request) {
    ClusterService c = clusterService();
    return c == null ? stopped() : c.memberRemove(request);
  }

  @Override
  public CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request) {
    ClusterService c = clusterService();
    return c == null ? stopped() : c.memberUpdate(request);
  }

  @Override
  public CompletableFuture<MemberListResponse> memberList(MemberListRequest request) {
    ClusterService c = clusterService();
    if (c == null) {
      return stopped();
    }
    return c.memberList(request).thenApply(r -> r.toBuilder().clearMembers().addAllMembers(members()).build());
  }

  @Override
  public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
    ClusterService c = clusterService();
    return c == null ? stopped() : c.memberPromote(request);
  }

  @Override
  public CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
    ClusterService c = clusterService();
    return c == null ? stopped() : c.moveLeader(request);
  }

  @Override
  public ResponseHeader header() {
    return ResponseHeader.newBuilder()
        .setClusterId(identity.clusterId())
        .setMemberId(identity.memberId())
        .setRevision(store.revision())
        .setRaftTerm(term())
        .build();
  }

  // ---- for the gateway ----------------------------------------------------------------------------------------

  /** The client URLs this member serves on, as MemberList shows them. */
  public void setClientUrls(List<String> urls) {
    this.clientUrls = List.copyOf(urls);
  }

  /**
   * The store, for watches (change listeners) and the lessor (lease hooks). Writes must go through
   * {@link EtcdKv}; this reference stays valid when a snapshot from the leader replaces the store's files.
   */
  public KvStore store() { return store; }

  /** The lessor, for tests and diagnostics; leases change only through {@link EtcdLease}. */
  public Lessor lessor() { return lessor; }

  public NodeConfig config() { return config; }

  /** This member's Raft endpoint, for tests that steer the Raft node (timeouts, leadership). */
  RaftEndpoint raftEndpoint() { return raft; }

  /** Waits until a leader is known and, if it is this member, ready to serve. For startup and tests. */
  public boolean awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (raft.isLeader() ? raft.leaderReady() : raft.leader() != null) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  public boolean isLeader() { return raft.isLeader(); }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    proposer.stopAccepting();
    if (reconciler != null) {
      reconciler.close();
    }
    if (leaseExpiry != null) {
      leaseExpiry.close();
    }
    if (leaseCheckpoints != null) {
      leaseCheckpoints.close();
    }
    if (autoCompactor != null) {
      autoCompactor.close();
    }
    if (maintenance != null) {
      maintenance.close();
    }
    if (auth != null) {
      auth.close();
    }
    if (node != null) {
      try {
        node.shutdown();
        node.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        LOG.warn("stopping Raft failed", e);
      }
      NodeManager.getInstance().removeAddress(node.getNodeId().getPeerId().getEndpoint());
    }
    if (rpcServer != null) {
      try {
        rpcServer.shutdown();
      } catch (RuntimeException e) {
        LOG.debug("the peer port was closed already: {}", e.toString());
      }
    }
    if (raft != null) {
      raft.close();
    }
    proposer.close();
    if (readBarrier != null) {
      readBarrier.close();
    }
    store.close();
    timers.shutdownNow();
    reads.shutdown();
    completions.shutdown();
    try {
      completions.awaitTermination(5, TimeUnit.SECONDS);
      reads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("member {} stopped", ClusterIds.hex(identity.memberId()));
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
