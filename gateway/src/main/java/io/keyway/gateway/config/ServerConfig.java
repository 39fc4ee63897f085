package io.keyway.gateway.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The validated settings Keyway runs with. URL lists are sorted and de-duplicated, as etcd's
 * {@code UniqueURLs} flags are.
 */
public record ServerConfig(
    String name,
    Path dataDir,
    List<URI> listenClientUrls,
    List<URI> advertiseClientUrls,
    List<URI> listenPeerUrls,
    List<URI> initialAdvertisePeerUrls,
    String initialCluster,
    String initialClusterState,
    String initialClusterToken,
    int maxRequestBytes,
    int maxTxnOps,
    long heartbeatIntervalMs,
    long electionTimeoutMs,
    long snapshotCount,
    String logLevel,
    Duration watchProgressNotifyInterval,
    Duration wsPingInterval,
    int wsMaxWatchers,
    boolean leaseCheckpoint,
    boolean leaseCheckpointPersist,
    Duration leaseCheckpointInterval,
    MaintenanceSettings maintenance,
    ClientTls clientTls,
    List<URI> listenMetricsUrls,
    AuthSettings auth,
    List<String> logOutputs,
    int maxLearners,
    PeerTlsFlags peerTls,
    boolean enableUi) {

  /** etcd's largest election timeout. */
  private static final long MAX_ELECTION_MS = 50_000;
  private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error", "panic", "fatal");

  /** etcd's gRPC receive limit: --max-request-bytes plus 512 KiB of headroom for the envelope. */
  public long maxGrpcMessageBytes() {
    return (long) maxRequestBytes + 512 * 1024;
  }

  /** etcd's request timeout (5 s plus two election timeouts), also used by its health checks. */
  public long requestTimeoutMs() {
    return 5000 + 2 * electionTimeoutMs;
  }

  /**
   * @param values effective value of every flag that was set, by name
   * @param fromCommandLine whether the values came from flags/env (etcd checks advertise URLs only then)
   * @throws ConfigException with etcd's message when etcd would refuse to start
   */
  static ServerConfig resolve(Map<String, String> values, boolean fromCommandLine) {
    String name = value(values, "name");
    String dataDir = values.getOrDefault("data-dir", "");
    if (dataDir.isEmpty()) {
      dataDir = name + ".etcd";
    }
    List<URI> listenClient = urls(values, "listen-client-urls");
    List<URI> advertiseClient = urls(values, "advertise-client-urls");
    if (fromCommandLine && values.containsKey("listen-client-urls") && !values.containsKey("advertise-client-urls")) {
      throw new ConfigException("--advertise-client-urls is required when --listen-client-urls is set explicitly");
    }
    List<URI> listenPeer = urls(values, "listen-peer-urls");
    List<URI> advertisePeer = urls(values, "initial-advertise-peer-urls");
    for (URI u : listenClient) {
      if (!u.getScheme().equals("http") && !u.getScheme().equals("https")) {
        throw new ConfigException("keyway serves only http:// and https:// client URLs, not " + u);
      }
    }
    String initialCluster = values.get("initial-cluster");
    if (initialCluster == null || initialCluster.isEmpty()) {
      // etcd derives it from the name when only --name is given; we also follow changed peer URLs
      String member = name.isEmpty() ? "default" : name;
      initialCluster = advertisePeer.stream().map(u -> member + "=" + u).collect(Collectors.joining(","));
    }
    long heartbeat = unsigned(values, "heartbeat-interval");
    long election = unsigned(values, "election-timeout");
    if (heartbeat == 0) {
      throw new ConfigException("--heartbeat-interval must be >0 (set to 0ms)");
    }
    if (election == 0) {
      throw new ConfigException("--election-timeout must be >0 (set to 0ms)");
    }
    if (5 * heartbeat > election) {
      throw new ConfigException("--election-timeout[" + election + "ms] should be at least as 5 times as "
          + "--heartbeat-interval[" + heartbeat + "ms]");
    }
    if (election > MAX_ELECTION_MS) {
      throw new ConfigException("--election-timeout[" + election + "ms] is too long, and should be set less than "
          + MAX_ELECTION_MS + "ms");
    }
    boolean leaseCheckpoint = bool(values, "experimental-enable-lease-checkpoint");
    boolean leaseCheckpointPersist = bool(values, "experimental-enable-lease-checkpoint-persist");
    if (leaseCheckpointPersist && !leaseCheckpoint) {
      throw new ConfigException(
          "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint");
    }
    Duration leaseCheckpointInterval = duration(values, "experimental-lease-checkpoint-interval");
    if (leaseCheckpointInterval.isNegative()) {
      throw new ConfigException("--experimental-lease-checkpoint-interval must not be negative (set to "
          + value(values, "experimental-lease-checkpoint-interval") + ")");
    }
    String logLevel = value(values, "log-level");
    if (!LOG_LEVELS.contains(logLevel)) {
      throw new ConfigException("unknown log-level \"" + logLevel + "\"");
    }
    return new ServerConfig(name, Path.of(dataDir), listenClient, advertiseClient, listenPeer, advertisePeer,
        initialCluster, value(values, "initial-cluster-state"), value(values, "initial-cluster-token"),
        (int) Math.min(Integer.MAX_VALUE, unsigned(values, "max-request-bytes")),
        (int) Math.min(Integer.MAX_VALUE, unsigned(values, "max-txn-ops")),
        heartbeat, election, unsigned(values, "snapshot-count"), logLevel,
        duration(values, "experimental-watch-progress-notify-interval"), duration(values, "ws-ping-interval"),
        (int) Math.min(Integer.MAX_VALUE, unsigned(values, "ws-max-watchers")),
        leaseCheckpoint, leaseCheckpointPersist, leaseCheckpointInterval, MaintenanceSettings.resolve(values),
        ClientTls.resolve(values, listenClient), metricsUrls(values),
        AuthSettings.of(value(values, "auth-token"), unsigned(values, "auth-token-ttl"),
            unsigned(values, "bcrypt-cost")),
        logOutputs(values),
        (int) Math.min(Integer.MAX_VALUE,
            unsigned(values, values.containsKey("max-learners") ? "max-learners" : "experimental-max-learners")),
        PeerTlsFlags.resolve(values, listenPeer, advertisePeer, initialCluster), bool(values, "enable-ui"));
  }

  /** {@code --logger} (zap only, as etcd 3.5) and {@code --log-outputs} (default = stderr, stdout, paths). */
  private static List<String> logOutputs(Map<String, String> values) {
    String logger = value(values, "logger");
    if (logger.equals("capnslog")) {
      throw new ConfigException("--logger=capnslog is removed in v3.5");
    }
    if (!logger.equals("zap")) {
      throw new ConfigException("unknown logger option \"" + logger + "\"");
    }
    List<String> outputs = new java.util.ArrayList<>();
    for (String o : value(values, "log-outputs").split(",")) {
      if (!o.isBlank()) {
        outputs.add(o.trim());
      }
    }
    return outputs.isEmpty() ? List.of("default") : List.copyOf(outputs);
  }

  /** {@code --listen-metrics-urls}: empty (etcd's default) for none. */
  private static List<URI> metricsUrls(Map<String, String> values) {
    String value = values.getOrDefault("listen-metrics-urls", "");
    return value.isEmpty() ? List.of() : urls(values, "listen-metrics-urls");
  }

  private static boolean bool(Map<String, String> values, String flag) {
    try {
      return FlagKind.parseBool(flag, value(values, flag));
    } catch (FlagException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static Duration duration(Map<String, String> values, String flag) {
    try {
      return GoDuration.parse(flag, value(values, flag));
    } catch (FlagException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static String value(Map<String, String> values, String flag) {
    return values.getOrDefault(flag, EtcdFlag.find(flag).defaultValue());
  }

  private static long unsigned(Map<String, String> values, String flag) {
    try {
      return FlagKind.parseUnsigned(flag, value(values, flag));
    } catch (FlagException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static List<URI> urls(Map<String, String> values, String flag) {
    try {
      Set<String> unique = new TreeSet<>();
      EtcdUrls.parse(value(values, flag)).forEach(u -> unique.add(u.toString()));
      return unique.stream().map(URI::create).toList();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(FlagKind.invalid(flag, value(values, flag), e.getMessage()).getMessage());
    }
  }
}
