package io.keyway.gateway.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of etcd 3.5's server flags: name (without dashes), value syntax, etcd's default and help text.
 * Flags this build does not implement are still accepted, so scripts written for etcd start Keyway
 * unchanged; setting one to anything but etcd's default logs a warning that it is ignored.
 *
 * @param implemented whether Keyway honours the flag
 */
public record EtcdFlag(String name, FlagKind kind, String defaultValue, String description, boolean implemented) {

  /** The environment variable etcd reads for this flag: {@code --foo-bar} is {@code ETCD_FOO_BAR}. */
  public String envName() {
    return "ETCD_" + name.toUpperCase().replace('-', '_');
  }

  private static final Map<String, EtcdFlag> ALL = new LinkedHashMap<>();

  private static void served(String name, FlagKind kind, String def, String description) {
    ALL.put(name, new EtcdFlag(name, kind, def, description, true));
  }

  private static void ignored(String name, FlagKind kind, String def) {
    ALL.put(name, new EtcdFlag(name, kind, def, "etcd flag accepted for compatibility; ignored by Keyway.", false));
  }

  static {
    served("config-file", FlagKind.STRING, "", "Path to the server configuration file (YAML, etcd's keys). "
        + "If given, other command line flags and environment variables are ignored.");
    served("name", FlagKind.STRING, "default", "Human-readable name for this member.");
    served("data-dir", FlagKind.STRING, "", "Path to the data directory (default: <name>.etcd).");
    served("listen-peer-urls", FlagKind.URLS, "http://localhost:2380",
        "List of URLs to listen on for peer traffic.");
    served("listen-client-urls", FlagKind.URLS, "http://localhost:2379",
        "List of URLs to listen on for client gRPC and HTTP traffic.");
    served("initial-advertise-peer-urls", FlagKind.URLS, "http://localhost:2380",
        "List of this member's peer URLs to advertise to the rest of the cluster.");
    served("advertise-client-urls", FlagKind.URLS, "http://localhost:2379",
        "List of this member's client URLs to advertise to the public.");
    served("initial-cluster", FlagKind.STRING, "default=http://localhost:2380",
        "Initial cluster configuration for bootstrapping (name=peer-url,...); "
            + "defaults to name=initial-advertise-peer-urls.");
    served("initial-cluster-state", FlagKind.CLUSTER_STATE, "new",
        "Initial cluster state ('new' or 'existing').");
    served("initial-cluster-token", FlagKind.STRING, "etcd-cluster",
        "Initial cluster token for the etcd cluster during bootstrap.");
    served("max-request-bytes", FlagKind.UINT, "1572864",
        "Maximum client request size in bytes the server will accept.");
    served("max-txn-ops", FlagKind.UINT, "128", "Maximum number of operations permitted in a transaction.");
    served("heartbeat-interval", FlagKind.UINT, "100", "Time (in milliseconds) of a heartbeat interval.");
    served("election-timeout", FlagKind.UINT, "1000", "Time (in milliseconds) for an election to timeout.");
    served("snapshot-count", FlagKind.UINT, "100000",
        "Number of committed transactions to trigger a snapshot to disk.");
    served("experimental-max-learners", FlagKind.UINT, "1",
        "Sets the maximum number of learners that can be available in the cluster membership.");
    served("max-learners", FlagKind.UINT, "1",
        "Sets the maximum number of learners that can be available in the cluster membership (etcd 3.6's name "
            + "of --experimental-max-learners; wins when both are set).");
    served("log-level", FlagKind.STRING, "info",
        "Configures log level. Only supports debug, info, warn, error, panic, or fatal.");
    served("experimental-watch-progress-notify-interval", FlagKind.DURATION, "10m0s",
        "Duration of periodic watch progress notifications.");
    served("quota-backend-bytes", FlagKind.INT64, "0",
        "Raise alarms when backend size exceeds the given quota (0 defaults to low space quota).");
    served("auto-compaction-retention", FlagKind.STRING, "0",
        "Auto compaction retention for mvcc key value store. 0 means disable auto compaction.");
    served("auto-compaction-mode", FlagKind.STRING, "periodic",
        "interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based "
            + "retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision "
            + "number based retention.");
    // Keyway's own flags (etcd's WebSocket proxy has no such settings)
    served("experimental-enable-lease-checkpoint", FlagKind.BOOL, "false",
        "Enable leader to send regular checkpoints to other members to prevent reset of remaining TTL on leader "
        + "change.");
    served("experimental-enable-lease-checkpoint-persist", FlagKind.BOOL, "false",
        "Enable persisting remainingTTL to prevent indefinite auto-renewal of long lived leases. Always enabled in "
        + "v3.6. Should be used to ensure smooth upgrade from v3.5 clusters with this feature enabled. Requires "
        + "experimental-enable-lease-checkpoint to be enabled.");
    served("experimental-lease-checkpoint-interval", FlagKind.DURATION, "5m0s",
        "Duration of time between lease checkpoints (etcd's lessor CheckpointInterval; not a flag of etcd 3.5).");
    served("ws-ping-interval", FlagKind.DURATION, "30s",
        "Keyway: interval of the server's pings on WebSocket connections (0 turns them off).");
    served("ws-max-watchers", FlagKind.UINT, "10000",
        "Keyway: most watchers one WebSocket connection may hold; a create beyond it is canceled (0: no limit).");
    served("enable-ui", FlagKind.BOOL, "true",
        "Keyway: serve the web console at /ui/ (and redirect browsers from / to it); false answers 404 there.");

    ignored("wal-dir", FlagKind.STRING, "");
    ignored("listen-client-http-urls", FlagKind.STRING, "");
    served("listen-metrics-urls", FlagKind.STRING, "",
        "List of URLs to listen on for the metrics and health endpoints.");
    ignored("max-snapshots", FlagKind.UINT, "5");
    ignored("max-wals", FlagKind.UINT, "5");
    ignored("initial-election-tick-advance", FlagKind.BOOL, "true");
    ignored("backend-bbolt-freelist-type", FlagKind.STRING, "map");
    ignored("backend-batch-interval", FlagKind.DURATION, "0s");
    ignored("backend-batch-limit", FlagKind.INT64, "0");
    ignored("grpc-keepalive-min-time", FlagKind.DURATION, "5s");
    ignored("grpc-keepalive-interval", FlagKind.DURATION, "2h0m0s");
    ignored("grpc-keepalive-timeout", FlagKind.DURATION, "20s");
    ignored("socket-reuse-port", FlagKind.BOOL, "false");
    ignored("socket-reuse-address", FlagKind.BOOL, "false");
    ignored("max-concurrent-streams", FlagKind.UINT, "4294967295");
    ignored("raft-read-timeout", FlagKind.DURATION, "5s");
    ignored("raft-write-timeout", FlagKind.DURATION, "5s");
    ignored("discovery", FlagKind.STRING, "");
    ignored("discovery-fallback", FlagKind.STRING, "proxy");
    ignored("discovery-proxy", FlagKind.STRING, "");
    ignored("discovery-srv", FlagKind.STRING, "");
    ignored("discovery-srv-name", FlagKind.STRING, "");
    ignored("strict-reconfig-check", FlagKind.BOOL, "true");
    ignored("pre-vote", FlagKind.BOOL, "false");
    ignored("enable-v2", FlagKind.BOOL, "false");
    ignored("experimental-enable-v2v3", FlagKind.STRING, "");
    ignored("v2-deprecation", FlagKind.STRING, "not-yet");
    ignored("proxy", FlagKind.STRING, "off");
    served("cert-file", FlagKind.STRING, "",
        "Path to the client server TLS cert file.");
    served("key-file", FlagKind.STRING, "",
        "Path to the client server TLS key file.");
    ignored("client-cert-file", FlagKind.STRING, "");
    ignored("client-key-file", FlagKind.STRING, "");
    served("client-cert-auth", FlagKind.BOOL, "false",
        "Enable client cert authentication.");
    served("client-crl-file", FlagKind.STRING, "",
        "Path to the client certificate revocation list file.");
    ignored("client-cert-allowed-hostname", FlagKind.STRING, "");
    served("trusted-ca-file", FlagKind.STRING, "",
        "Path to the client server TLS trusted CA cert file.");
    served("auto-tls", FlagKind.BOOL, "false",
        "Client TLS using generated certificates.");
    served("peer-cert-file", FlagKind.STRING, "", "Path to the peer server TLS cert file.");
    served("peer-key-file", FlagKind.STRING, "", "Path to the peer server TLS key file.");
    served("peer-client-cert-file", FlagKind.STRING, "",
        "Path to an explicit peer client TLS cert file otherwise peer cert file will be used when client auth is "
            + "required.");
    served("peer-client-key-file", FlagKind.STRING, "",
        "Path to an explicit peer client TLS key file otherwise peer key file will be used when client auth is "
            + "required.");
    served("peer-client-cert-auth", FlagKind.BOOL, "false", "Enable peer client cert authentication.");
    served("peer-trusted-ca-file", FlagKind.STRING, "", "Path to the peer server TLS trusted CA file.");
    served("peer-auto-tls", FlagKind.BOOL, "false",
        "Peer TLS using generated certificates (peers' certificates are then not verified, as etcd's).");
    served("self-signed-cert-validity", FlagKind.UINT, "1",
        "The validity period of the client and peer certificates, unit is year.");
    served("peer-crl-file", FlagKind.STRING, "", "Path to the peer certificate revocation list file.");
    served("peer-cert-allowed-cn", FlagKind.STRING, "",
        "Comma-separated list of allowed CNs for inter-peer TLS authentication.");
    served("peer-cert-allowed-hostname", FlagKind.STRING, "",
        "Comma-separated list of allowed SAN hostnames for inter-peer TLS authentication.");
    served("cipher-suites", FlagKind.STRING, "",
        "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by the JDK).");
    served("tls-min-version", FlagKind.STRING, "TLS1.2",
        "Minimum TLS version supported by etcd. Possible values: TLS1.2, TLS1.3.");
    served("tls-max-version", FlagKind.STRING, "",
        "Maximum TLS version supported by etcd. Possible values: TLS1.2, TLS1.3 (empty defers to the JDK).");
    ignored("cors", FlagKind.STRING, "*");
    ignored("host-whitelist", FlagKind.STRING, "*");
    served("logger", FlagKind.STRING, "zap",
        "Currently only supports 'zap' for structured logging.");
    served("log-outputs", FlagKind.STRING, "default",
        "Specify 'stdout' or 'stderr' to skip journald logging even when running under systemd, or list of "
        + "comma separated output targets.");
    ignored("enable-log-rotation", FlagKind.BOOL, "false");
    ignored("log-rotation-config-json", FlagKind.STRING,
        "{\"maxsize\": 100, \"maxage\": 0, \"maxbackups\": 0, \"localtime\": false, \"compress\": false}");
    ignored("enable-pprof", FlagKind.BOOL, "false");
    ignored("metrics", FlagKind.STRING, "basic");
    served("auth-token", FlagKind.STRING, "simple",
        "Specify auth token specific options: 'simple' or 'jwt,pub-key=...,priv-key=...,sign-method=...,ttl=...'.");
    served("bcrypt-cost", FlagKind.UINT, "10", "Specify bcrypt algorithm cost factor for auth password hashing.");
    served("auth-token-ttl", FlagKind.UINT, "300", "The lifetime in seconds of the simple auth token.");
    ignored("enable-grpc-gateway", FlagKind.BOOL, "true");
    ignored("experimental-initial-corrupt-check", FlagKind.BOOL, "false");
    ignored("experimental-corrupt-check-time", FlagKind.DURATION, "0s");
    ignored("experimental-compaction-batch-limit", FlagKind.INT64, "1000");
    ignored("experimental-warning-apply-duration", FlagKind.DURATION, "100ms");
    ignored("experimental-memory-mlock", FlagKind.BOOL, "false");
    ignored("unsafe-no-fsync", FlagKind.BOOL, "false");
    ignored("force-new-cluster", FlagKind.BOOL, "false");
    ignored("debug", FlagKind.BOOL, "false");
  }

  public static List<EtcdFlag> all() {
    return Collections.unmodifiableList(new ArrayList<>(ALL.values()));
  }

  /** @return null when etcd has no such flag */
  public static EtcdFlag find(String name) {
    return ALL.get(name);
  }
}
