package io.keyway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Cli.Outcome parse(Map<String, String> env, String... args) {
    return Cli.parse(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private ServerConfig run(Map<String, String> env, String... args) {
    Cli.Outcome o = parse(env, args);
    return assertInstanceOf(Cli.Outcome.Run.class, o, () -> "stderr: " + err).config();
  }

  private int exit(Map<String, String> env, String... args) {
    return assertInstanceOf(Cli.Outcome.Exit.class, parse(env, args)).code();
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void defaultsAreEtcds() {
    ServerConfig c = run(Map.of());
    assertEquals("default", c.name());
    assertEquals(Path.of("default.etcd"), c.dataDir());
    assertEquals(List.of(URI.create("http://localhost:2379")), c.listenClientUrls());
    assertEquals(List.of(URI.create("http://localhost:2379")), c.advertiseClientUrls());
    assertEquals(List.of(URI.create("http://localhost:2380")), c.listenPeerUrls());
    assertEquals(List.of(URI.create("http://localhost:2380")), c.initialAdvertisePeerUrls());
    assertEquals("default=http://localhost:2380", c.initialCluster());
    assertEquals("new", c.initialClusterState());
    assertEquals("etcd-cluster", c.initialClusterToken());
    assertEquals(1572864, c.maxRequestBytes());
    assertEquals(2097152, c.maxGrpcMessageBytes());
    assertEquals(128, c.maxTxnOps());
    assertEquals(100, c.heartbeatIntervalMs());
    assertEquals(1000, c.electionTimeoutMs());
    assertEquals(7000, c.requestTimeoutMs());
    assertEquals(100000, c.snapshotCount());
    assertEquals("info", c.logLevel());
  }

  @Test
  void nameDrivesDataDirAndInitialCluster() {
    ServerConfig c = run(Map.of(), "--name", "n1", "--initial-advertise-peer-urls", "http://10.0.0.1:2380");
    assertEquals(Path.of("n1.etcd"), c.dataDir());
    assertEquals("n1=http://10.0.0.1:2380", c.initialCluster());
  }

  @Test
  void flagSpellingsOfGo() {
    ServerConfig c = run(Map.of(), "-name=a", "--max-txn-ops=7", "-snapshot-count", "0x10", "--enable-v2",
        "--enable-v2=false", "--data-dir", "/tmp/x");
    assertEquals("a", c.name());
    assertEquals(7, c.maxTxnOps());
    assertEquals(16, c.snapshotCount());
    assertEquals(Path.of("/tmp/x"), c.dataDir());
  }

  @Test
  void urlListsAreSortedAndDeduplicated() {
    ServerConfig c = run(Map.of(), "--listen-client-urls", "http://127.0.0.2:1,http://127.0.0.1:1,http://127.0.0.2:1",
        "--advertise-client-urls", "http://b:1,http://a:1");
    assertEquals(List.of(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.2:1")), c.listenClientUrls());
    assertEquals(List.of(URI.create("http://a:1"), URI.create("http://b:1")), c.advertiseClientUrls());
  }

  @Test
  void environmentVariablesAndFlagPrecedence() {
    Map<String, String> env = Map.of("ETCD_NAME", "from-env", "ETCD_MAX_TXN_OPS", "64", "ETCD_DATA_DIR", "/env/dir",
        "ETCD_UNKNOWN_THING", "1");
    Cli.Outcome.Run r = assertInstanceOf(Cli.Outcome.Run.class, parse(env, "--data-dir", "/flag/dir"));
    assertEquals("from-env", r.config().name());
    assertEquals(64, r.config().maxTxnOps());
    assertEquals(Path.of("/flag/dir"), r.config().dataDir());
    assertTrue(r.warnings().stream().anyMatch(w -> w.contains("ETCD_UNKNOWN_THING")), r.warnings().toString());
    assertTrue(r.warnings().stream().anyMatch(w -> w.contains("ETCD_DATA_DIR")), r.warnings().toString());
  }

  @Test
  void listenClientUrlsFromEnvAlsoRequireAdvertise() {
    assertEquals(1, exit(Map.of("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:1")));
    assertEquals("failed to verify flags: --advertise-client-urls is required when --listen-client-urls is set "
        + "explicitly\n", stderr());
  }

  @Test
  void malformedEnvValueIsAConfigError() {
    assertEquals(1, exit(Map.of("ETCD_MAX_TXN_OPS", "lots")));
    assertEquals("failed to verify flags: invalid value \"lots\" for ETCD_MAX_TXN_OPS: parse error\n", stderr());
  }

  @Test
  void configFileReplacesFlagsAndEnvironment(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("etcd.yaml");
    Files.writeString(file, """
        name: infra1
        data-dir: /var/lib/infra1
        listen-client-urls: http://127.0.0.1:12379,http://127.0.0.2:12379
        advertise-client-urls:
          - http://127.0.0.1:12379
        max-txn-ops: 256
        heartbeat-interval: 50
        election-timeout: 500
        enable-v2: false
        client-transport-security:
          cert-file: /x
        bogus-key: 1
        """);
    Cli.Outcome.Run r = assertInstanceOf(Cli.Outcome.Run.class,
        parse(Map.of("ETCD_NAME", "ignored"), "--config-file", file.toString(), "--max-txn-ops", "5"));
    ServerConfig c = r.config();
    assertEquals("infra1", c.name());
    assertEquals(Path.of("/var/lib/infra1"), c.dataDir());
    assertEquals(2, c.listenClientUrls().size());
    assertEquals(List.of(URI.create("http://127.0.0.1:12379")), c.advertiseClientUrls());
    assertEquals(256, c.maxTxnOps());
    assertEquals(500, c.electionTimeoutMs());
    assertEquals(Path.of("/var/lib/infra1"),
        ((Cli.Outcome.Run) parse(Map.of("ETCD_CONFIG_FILE", file.toString()))).config().dataDir());
    assertTrue(r.warnings().stream().anyMatch(w -> w.contains("bogus-key")), r.warnings().toString());
  }

  @Test
  void badConfigFile(@TempDir Path dir) throws IOException {
    assertEquals(1, exit(Map.of(), "--config-file", dir.resolve("missing.yaml").toString()));
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "max-txn-ops: many\n");
    assertEquals(1, exit(Map.of(), "--config-file", file.toString()));
    assertTrue(stderr().contains("invalid value \"many\" for flag -max-txn-ops: parse error"), stderr());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "--bogus|flag provided but not defined: -bogus",
      "-bogus=1|flag provided but not defined: -bogus",
      "stray|'stray' is not a valid flag",
      "--max-txn-ops=abc|invalid value \"abc\" for flag -max-txn-ops: parse error",
      "--max-txn-ops=-1|invalid value \"-1\" for flag -max-txn-ops: parse error",
      "--max-request-bytes=99999999999999999999|invalid value \"99999999999999999999\" for flag -max-request-bytes: value out of range",
      "--enable-v2=maybe|invalid boolean value \"maybe\" for -enable-v2: parse error",
      "--listen-client-urls=localhost:2379|invalid value \"localhost:2379\" for flag -listen-client-urls: URL scheme must be http, https, unix, or unixs: localhost:2379",
      "--listen-client-urls=http://localhost|invalid value \"http://localhost\" for flag -listen-client-urls: URL address does not have the form \"host:port\": http://localhost",
      "--advertise-client-urls=http://a:1/path|invalid value \"http://a:1/path\" for flag -advertise-client-urls: URL must not contain a path: http://a:1/path",
      "--initial-cluster-state=old|invalid value \"old\" for flag -initial-cluster-state: invalid value",
      "--name|flag needs an argument: -name",
  })
  void unknownOrMalformedFlagsExitWith2(String arg, String message) {
    assertEquals(2, exit(Map.of(), arg));
    assertEquals(message + "\n", stderr());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "--election-timeout=400|--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]",
      "--heartbeat-interval=0|--heartbeat-interval must be >0 (set to 0ms)",
      "--election-timeout=60000|--election-timeout[60000ms] is too long, and should be set less than 50000ms",
      "--log-level=chatty|unknown log-level \"chatty\"",
      "--auto-compaction-mode=daily|unknown auto-compaction-mode \"daily\"",
      "--auto-compaction-mode=|undefined auto-compaction-mode",
      "--auto-compaction-retention=soon|error parsing CompactionRetention: time: invalid duration \"soon\"",
  })
  void invalidCombinationsExitWith1(String arg, String message) {
    assertEquals(1, exit(Map.of(), arg));
    assertEquals("failed to verify flags: " + message + "\n", stderr());
  }

  @Test
  void httpsWithoutCertificateIsRefused() {
    assertEquals(1, exit(Map.of(), "--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls",
        "https://127.0.0.1:2379"));
    assertTrue(stderr().contains("https://127.0.0.1:2379"), stderr());
  }

  @Test
  void ignoredEtcdFlagsWarnOnlyWhenChanged() {
    Cli.Outcome.Run r = assertInstanceOf(Cli.Outcome.Run.class, parse(Map.of(), "--logger=zap", "--enable-v2=false",
        "--max-wals=7", "--max-snapshots", "5"));
    assertEquals(1, r.warnings().size(), r.warnings().toString());
    assertTrue(r.warnings().get(0).contains("--max-wals=7"));
  }

  @Test
  void watchFlagsTakeGoDurations(@TempDir Path dir) throws IOException {
    ServerConfig defaults = run(Map.of());
    assertEquals(java.time.Duration.ofMinutes(10), defaults.watchProgressNotifyInterval());
    assertEquals(java.time.Duration.ofSeconds(30), defaults.wsPingInterval());
    assertEquals(10000, defaults.wsMaxWatchers());

    ServerConfig c = run(Map.of("ETCD_WS_PING_INTERVAL", "1m30s"),
        "--experimental-watch-progress-notify-interval=1.5s", "--ws-max-watchers", "3");
    assertEquals(java.time.Duration.ofMillis(1500), c.watchProgressNotifyInterval());
    assertEquals(java.time.Duration.ofSeconds(90), c.wsPingInterval());
    assertEquals(3, c.wsMaxWatchers());
    assertEquals(java.time.Duration.ofNanos(-250_000), run(Map.of(), "--ws-ping-interval=-250us").wsPingInterval());
    assertEquals(java.time.Duration.ZERO, run(Map.of(), "--ws-ping-interval=0").wsPingInterval());

    assertEquals(2, exit(Map.of(), "--ws-ping-interval=30"));
    assertTrue(stderr().contains("invalid value \"30\" for flag -ws-ping-interval: parse error"), stderr());

    // in etcd's YAML file a duration is a number of nanoseconds (Go's time.Duration in its config struct)
    Path file = dir.resolve("etcd.yaml");
    Files.writeString(file, "experimental-watch-progress-notify-interval: 5000000000\nws-ping-interval: 2s\n");
    ServerConfig fromFile = run(Map.of(), "--config-file", file.toString());
    assertEquals(java.time.Duration.ofSeconds(5), fromFile.watchProgressNotifyInterval());
    assertEquals(java.time.Duration.ofSeconds(2), fromFile.wsPingInterval());
  }

  @Test
  void maxLearnersFromFlagEnvironmentAndConfigFile(@TempDir Path dir) throws IOException {
    assertEquals(1, run(Map.of()).maxLearners());
    assertEquals(3, run(Map.of(), "--experimental-max-learners=3").maxLearners());
    assertEquals(2, run(Map.of("ETCD_EXPERIMENTAL_MAX_LEARNERS", "2")).maxLearners());
    // etcd 3.6's name wins over the experimental one
    assertEquals(4, run(Map.of(), "--experimental-max-learners=3", "--max-learners=4").maxLearners());
    Path file = dir.resolve("etcd.yaml");
    Files.writeString(file, "experimental-max-learners: 5\n");
    assertEquals(5, run(Map.of(), "--config-file", file.toString()).maxLearners());
    assertEquals(2, exit(Map.of(), "--experimental-max-learners=many"));
    assertTrue(stderr().contains("invalid value \"many\" for flag -experimental-max-learners: parse error"),
        stderr());
  }

  @Test
  void enableUiFromFlagEnvironmentAndConfigFile(@TempDir Path dir) throws IOException {
    assertTrue(run(Map.of()).enableUi());
    assertEquals(false, run(Map.of(), "--enable-ui=false").enableUi());
    assertEquals(false, run(Map.of("ETCD_ENABLE_UI", "false")).enableUi());
    assertTrue(run(Map.of("ETCD_ENABLE_UI", "false"), "--enable-ui").enableUi()); // the command line wins
    Path file = dir.resolve("etcd.yaml");
    Files.writeString(file, "enable-ui: false\n");
    assertEquals(false, run(Map.of(), "--config-file", file.toString()).enableUi());
    assertEquals(2, exit(Map.of(), "--enable-ui=maybe"));
    assertTrue(stderr().contains("invalid boolean value \"maybe\" for -enable-ui: parse error"), stderr());
  }

  @Test
  void maintenanceFlagsFollowEtcd() {
    MaintenanceSettings defaults = run(Map.of()).maintenance();
    assertEquals(new MaintenanceSettings(0, "periodic", java.time.Duration.ZERO), defaults);
    assertEquals(-1, run(Map.of(), "--quota-backend-bytes=-1").maintenance().quotaBackendBytes());
    assertEquals(1 << 20, run(Map.of("ETCD_QUOTA_BACKEND_BYTES", "1048576")).maintenance().quotaBackendBytes());
    // periodic: a bare number counts hours, otherwise a Go duration
    assertEquals(java.time.Duration.ofHours(3),
        run(Map.of(), "--auto-compaction-retention=3").maintenance().autoCompactionRetention());
    assertEquals(java.time.Duration.ofMinutes(90),
        run(Map.of(), "--auto-compaction-retention=1h30m").maintenance().autoCompactionRetention());
    // revision: a bare number counts revisions (kept as nanoseconds, as etcd does)
    MaintenanceSettings revision = run(Map.of(), "--auto-compaction-mode=revision",
        "--auto-compaction-retention=1000").maintenance();
    assertEquals("revision", revision.autoCompactionMode());
    assertEquals(1000, revision.autoCompactionRetention().toNanos());
  }

  @Test
  void helpListsTheFlagsAndExits0() {
    assertEquals(0, exit(Map.of(), "--help"));
    String usage = out.toString(StandardCharsets.UTF_8);
    for (String flag : List.of("--name", "--data-dir", "--listen-client-urls", "--advertise-client-urls",
        "--listen-peer-urls", "--initial-advertise-peer-urls", "--initial-cluster", "--initial-cluster-state",
        "--initial-cluster-token", "--max-request-bytes", "--max-txn-ops", "--heartbeat-interval",
        "--election-timeout", "--snapshot-count", "--config-file", "--log-level", "--version", "--help")) {
      assertTrue(usage.contains(flag), flag + " missing from:\n" + usage);
    }
    assertTrue(usage.contains("default: 1572864"), usage);
  }

  @Test
  void versionExits0() {
    assertEquals(0, exit(Map.of(), "--version"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("etcd Version: 3.5.17\n"));
  }
}
