package io.keyway.raft;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything a member needs to start, with etcd's flag names and defaults. Immutable; build with
 * {@link #builder()}.
 */
public final class NodeConfig {
  public static final String STATE_NEW = "new";
  public static final String STATE_EXISTING = "existing";

  private final String name;
  private final Path dataDir;
  private final List<String> listenPeerUrls;
  private final List<String> initialAdvertisePeerUrls;
  private final List<String> advertiseClientUrls;
  private final String initialCluster;
  private final String initialClusterState;
  private final String initialClusterToken;
  private final long heartbeatIntervalMs;
  private final long electionTimeoutMs;
  private final int maxRequestBytes;
  private final int maxTxnOps;
  private final long snapshotCount;
  private final long requestTimeoutMs;
  private final boolean leaseCheckpoint;
  private final boolean leaseCheckpointPersist;
  private final long leaseCheckpointIntervalMs;
  private final long quotaBackendBytes;
  private final String autoCompactionMode;
  private final java.time.Duration autoCompactionRetention;
  private final String authToken;
  private final long authTokenTtlSeconds;
  private final int bcryptCost;
  private final int maxLearners;
  private final io.keyway.raft.transport.PeerTls peerTls;

  private NodeConfig(Builder b) {
    this.name = b.name;
    this.dataDir = b.dataDir != null ? b.dataDir : Path.of(b.name + ".etcd");
    this.listenPeerUrls = List.copyOf(b.listenPeerUrls);
    this.initialAdvertisePeerUrls = List.copyOf(b.initialAdvertisePeerUrls);
    this.advertiseClientUrls = List.copyOf(b.advertiseClientUrls);
    this.initialCluster = b.initialCluster != null && !b.initialCluster.isBlank()
        ? b.initialCluster
        : initialAdvertisePeerUrls.stream().map(u -> name + "=" + u).collect(Collectors.joining(","));
    this.initialClusterState = b.initialClusterState;
    this.initialClusterToken = b.initialClusterToken;
    this.heartbeatIntervalMs = b.heartbeatIntervalMs;
    this.electionTimeoutMs = b.electionTimeoutMs;
    this.maxRequestBytes = b.maxRequestBytes;
    this.maxTxnOps = b.maxTxnOps;
    this.snapshotCount = b.snapshotCount;
    // etcd's ReqTimeout: 5 s plus two election timeouts
    this.requestTimeoutMs = b.requestTimeoutMs > 0 ? b.requestTimeoutMs : 5000 + 2 * electionTimeoutMs;
    this.leaseCheckpoint = b.leaseCheckpoint;
    this.leaseCheckpointPersist = b.leaseCheckpointPersist;
    this.leaseCheckpointIntervalMs = b.leaseCheckpointIntervalMs;
    this.quotaBackendBytes = b.quotaBackendBytes;
    this.autoCompactionMode = b.autoCompactionMode;
    this.autoCompactionRetention = b.autoCompactionRetention;
    this.authToken = b.authToken;
    this.authTokenTtlSeconds = b.authTokenTtlSeconds;
    this.bcryptCost = b.bcryptCost;
    this.maxLearners = b.maxLearners;
    this.peerTls = b.peerTls;
  }

  public static Builder builder() { return new Builder(); }

  public Builder toBuilder() {
    return new Builder().name(name).dataDir(dataDir).listenPeerUrls(listenPeerUrls)
        .initialAdvertisePeerUrls(initialAdvertisePeerUrls).advertiseClientUrls(advertiseClientUrls)
        .initialCluster(initialCluster).initialClusterState(initialClusterState)
        .initialClusterToken(initialClusterToken).heartbeatIntervalMs(heartbeatIntervalMs)
        .electionTimeoutMs(electionTimeoutMs).maxRequestBytes(maxRequestBytes).maxTxnOps(maxTxnOps)
        .snapshotCount(snapshotCount).requestTimeoutMs(requestTimeoutMs).leaseCheckpoint(leaseCheckpoint)
        .leaseCheckpointPersist(leaseCheckpointPersist).leaseCheckpointIntervalMs(leaseCheckpointIntervalMs)
        .quotaBackendBytes(quotaBackendBytes)
        .autoCompaction(autoCompactionMode, autoCompactionRetention)
        .authToken(authToken).authTokenTtlSeconds(authTokenTtlSeconds).bcryptCost(bcryptCost)
        .maxLearners(maxLearners).peerTls(peerTls);
  }

  public String name() { return name; }

  /** Root of the member's files: {@code <dataDir>/member/store} and {@code <dataDir>/member/raft}. */
  public Path dataDir() { return dataDir; }

  public List<String> listenPeerUrls() { return listenPeerUrls; }

  public List<String> initialAdvertisePeerUrls() { return initialAdvertisePeerUrls; }

  public List<String> advertiseClientUrls() { return advertiseClientUrls; }

  /** name=url,... ; defaults to this member's advertised peer URLs, as etcd does. */
  public String initialCluster() { return initialCluster; }

  public String initialClusterState() { return initialClusterState; }

  public String initialClusterToken() { return initialClusterToken; }

  /**
   * etcd's heartbeat: JRaft's leader heartbeats every election timeout / (election timeout / heartbeat interval).
   */
  public long heartbeatIntervalMs() { return heartbeatIntervalMs; }

  public long electionTimeoutMs() { return electionTimeoutMs; }

  /**
   * etcd's minLeaseTTL: {@code ceil(((3 * electionTicks) / 2) * heartbeat)} in seconds, so a lease outlives a
   * leader election; 2 s at the default timings. Shorter TTLs are raised to it when a lease is granted.
   */
  public long minLeaseTtlSeconds() {
    long electionTicks = electionTimeoutMs / heartbeatIntervalMs;
    long millis = (3 * electionTicks) / 2 * heartbeatIntervalMs;
    return (millis + 999) / 1000;
  }

  public int maxRequestBytes() { return maxRequestBytes; }

  public int maxTxnOps() { return maxTxnOps; }

  /** Applied log entries between two snapshots (etcd --snapshot-count). */
  public long snapshotCount() { return snapshotCount; }

  /** How long a proposal or linearizable read may wait before failing with "request timed out". */
  public long requestTimeoutMs() { return requestTimeoutMs; }

  /**
   * etcd's {@code --experimental-enable-lease-checkpoint}: the leader replicates leases' remaining TTLs, so a
   * new leader does not restart them from their full TTL.
   */
  public boolean leaseCheckpoint() { return leaseCheckpoint; }

  /**
   * etcd's {@code --experimental-enable-lease-checkpoint-persist}: applied checkpoints are also written to the
   * lease records, so they survive a restart. Requires {@link #leaseCheckpoint()}.
   */
  public boolean leaseCheckpointPersist() { return leaseCheckpointPersist; }

  /** etcd's {@code --experimental-lease-checkpoint-interval} in milliseconds; 0 = etcd's default of 5 minutes. */
  public long leaseCheckpointIntervalMs() { return leaseCheckpointIntervalMs; }


  /** etcd's {@code --quota-backend-bytes}: negative disables the space quota, 0 is the default (2 GiB). */
  public long quotaBackendBytes() { return quotaBackendBytes; }

  /** etcd's {@code --auto-compaction-mode}: {@code periodic} or {@code revision}. */
  public String autoCompactionMode() { return autoCompactionMode; }

  /**
   * etcd's parsed {@code --auto-compaction-retention}: a duration in periodic mode, a number of revisions (as
   * nanoseconds, as etcd stores it) in revision mode; zero disables auto-compaction.
   */
  public java.time.Duration autoCompactionRetention() { return autoCompactionRetention; }

  /** etcd's --auth-token: {@code simple} or {@code jwt,<options>}. */
  public String authToken() { return authToken; }

  /** etcd's --auth-token-ttl (simple tokens), seconds. */
  public long authTokenTtlSeconds() { return authTokenTtlSeconds; }

  /** etcd's --bcrypt-cost. */
  public int bcryptCost() { return bcryptCost; }

  /** etcd's --experimental-max-learners: MemberAdd of a learner beyond it is refused. */
  public int maxLearners() { return maxLearners; }
  /** TLS of the Raft port and of this member's connections to its peers; null: plaintext. */
  public io.keyway.raft.transport.PeerTls peerTls() { return peerTls; }

  public Path memberDir() { return dataDir.resolve("member"); }

  public Path storeDir() { return memberDir().resolve("store"); }

  public Path raftDir() { return memberDir().resolve("raft"); }

  @Override
  public String toString() {
    return "NodeConfig{name=" + name + ", dataDir=" + dataDir + ", listenPeerUrls=" + listenPeerUrls
        + ", initialAdvertisePeerUrls=" + initialAdvertisePeerUrls + ", initialCluster=" + initialCluster
        + ", initialClusterState=" + initialClusterState + ", initialClusterToken=" + initialClusterToken
        + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", electionTimeoutMs=" + electionTimeoutMs
        + ", maxRequestBytes=" + maxRequestBytes + ", maxTxnOps=" + maxTxnOps + ", snapshotCount=" + snapshotCount
        + ", leaseCheckpoint=" + leaseCheckpoint + ", leaseCheckpointPersist=" + leaseCheckpointPersist
        + ", leaseCheckpointIntervalMs=" + leaseCheckpointIntervalMs + ", peerTls=" + peerTls + "}";
  }

  public static final class Builder {
    private String name = "default";
    private Path dataDir;
    private List<String> listenPeerUrls = List.of("http://localhost:2380");
    private List<String> initialAdvertisePeerUrls = List.of("http://localhost:2380");
    private List<String> advertiseClientUrls = List.of("http://localhost:2379");
    private String initialCluster;
    private String initialClusterState = STATE_NEW;
    private String initialClusterToken = "etcd-cluster";
    private long heartbeatIntervalMs = 100;
    private long electionTimeoutMs = 1000;
    private int maxRequestBytes = 1572864;
    private int maxTxnOps = 128;
    private long snapshotCount = 100_000;
    private long requestTimeoutMs;
    private boolean leaseCheckpoint;
    private boolean leaseCheckpointPersist;
    private long leaseCheckpointIntervalMs;
    private long quotaBackendBytes;
    private String autoCompactionMode = "periodic";
    private java.time.Duration autoCompactionRetention = java.time.Duration.ZERO;
    private String authToken = "simple";
    private long authTokenTtlSeconds = 300;
    private int bcryptCost = 10;
    private int maxLearners = 1;
    private io.keyway.raft.transport.PeerTls peerTls;

    private Builder() {}

    /** null (the default) for plaintext peer traffic. */
    public Builder peerTls(io.keyway.raft.transport.PeerTls v) { this.peerTls = v; return this; }

    public Builder authToken(String v) { this.authToken = v; return this; }

    public Builder authTokenTtlSeconds(long v) { this.authTokenTtlSeconds = v; return this; }

    public Builder bcryptCost(int v) { this.bcryptCost = v; return this; }

    public Builder maxLearners(int v) { this.maxLearners = v; return this; }

    public Builder name(String v) { this.name = v; return this; }

    public Builder dataDir(Path v) { this.dataDir = v; return this; }

    public Builder listenPeerUrls(List<String> v) { this.listenPeerUrls = v; return this; }

    public Builder initialAdvertisePeerUrls(List<String> v) { this.initialAdvertisePeerUrls = v; return this; }

    public Builder advertiseClientUrls(List<String> v) { this.advertiseClientUrls = v; return this; }

    public Builder initialCluster(String v) { this.initialCluster = v; return this; }

    public Builder initialClusterState(String v) { this.initialClusterState = v; return this; }

    public Builder initialClusterToken(String v) { this.initialClusterToken = v; return this; }

    public Builder heartbeatIntervalMs(long v) { this.heartbeatIntervalMs = v; return this; }

    public Builder electionTimeoutMs(long v) { this.electionTimeoutMs = v; return this; }

    public Builder maxRequestBytes(int v) { this.maxRequestBytes = v; return this; }

    public Builder maxTxnOps(int v) { this.maxTxnOps = v; return this; }

    public Builder snapshotCount(long v) { this.snapshotCount = v; return this; }

    /** 0 = etcd's default (5 s + 2 election timeouts). */
    public Builder requestTimeoutMs(long v) { this.requestTimeoutMs = v; return this; }

    public Builder leaseCheckpoint(boolean v) { this.leaseCheckpoint = v; return this; }

    public Builder leaseCheckpointPersist(boolean v) { this.leaseCheckpointPersist = v; return this; }

    /** 0 = etcd's default (5 minutes). */
    public Builder leaseCheckpointIntervalMs(long v) { this.leaseCheckpointIntervalMs = v; return this; }


    public Builder quotaBackendBytes(long v) { this.quotaBackendBytes = v; return this; }

    public Builder autoCompaction(String mode, java.time.Duration retention) {
      this.autoCompactionMode = mode;
      this.autoCompactionRetention = retention;
      return this;
    }

    public NodeConfig build() {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("--name must not be empty");
      }
      if (!STATE_NEW.equals(initialClusterState) && !STATE_EXISTING.equals(initialClusterState)) {
        throw new IllegalArgumentException(
            "invalid value \"" + initialClusterState + "\" for flag -initial-cluster-state: must be new or existing");
      }
      if (heartbeatIntervalMs <= 0 || electionTimeoutMs <= 0) {
        throw new IllegalArgumentException("--heartbeat-interval and --election-timeout must be positive");
      }
      if (5 * heartbeatIntervalMs > electionTimeoutMs) {
        throw new IllegalArgumentException("--election-timeout[" + electionTimeoutMs
            + "ms] should be at least as 5 times as --heartbeat-interval[" + heartbeatIntervalMs + "ms]");
      }
      if (maxRequestBytes <= 0 || maxTxnOps <= 0 || snapshotCount <= 0) {
        throw new IllegalArgumentException("--max-request-bytes, --max-txn-ops and --snapshot-count must be positive");
      }
      if (leaseCheckpointPersist && !leaseCheckpoint) {
        // etcd's message, from its config validation
        throw new IllegalArgumentException(
            "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint");
      }
      if (leaseCheckpointIntervalMs < 0) {
        throw new IllegalArgumentException("--experimental-lease-checkpoint-interval must not be negative");
      }
      if (!"periodic".equals(autoCompactionMode) && !"revision".equals(autoCompactionMode)) {
        throw new IllegalArgumentException("unknown auto-compaction-mode \"" + autoCompactionMode + "\"");
      }
      if (listenPeerUrls.isEmpty() || initialAdvertisePeerUrls.isEmpty()) {
        throw new IllegalArgumentException("peer URLs must not be empty");
      }
      return new NodeConfig(this);
    }
  }
}
