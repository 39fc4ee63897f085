package io.keyway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.PutRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs every workload against Debian's etcd and Keyway, alternating which goes first, prints one table,
 * writes the results JSON and (for full runs) the chart and docs/benchmarks.md. Exits 1 on any crash,
 * request error or lost watch event; timings never fail a run.
 */
public final class BenchMain {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Settings settings;
  private final Path repo;
  private final Path keywayJar;
  private final String etcdBinary;
  private final List<String> keywayJavaOpts;
  private final Set<String> only;
  private final Path dataRoot;
  private final Path logDir;
  private final Vertx vertx;
  private final Results results = new Results();
  /**
   * Ports come from [portBase, portBase + 1000): 21000 unless --port-base (or BENCH_PORT_BASE) moves the run to
   * another range, so parallel runs on one machine do not race for ports.
   */
  private static int portBase = Integer.parseInt(System.getenv().getOrDefault("BENCH_PORT_BASE", "21000"));
  private static Path dataRootBase = Paths.get("/tmp");
  private int nextPort = portBase;
  private int orderFlip;

  private BenchMain(Settings settings, Path repo, Path keywayJar, String etcdBinary, List<String> keywayJavaOpts,
      Set<String> only) {
    this.settings = settings;
    this.repo = repo;
    this.keywayJar = keywayJar;
    this.etcdBinary = etcdBinary;
    this.keywayJavaOpts = keywayJavaOpts;
    this.only = only;
    String prefix = System.getenv("BENCH_DATA_PREFIX");
    this.dataRoot = prefix != null ? Paths.get(prefix + ProcessHandle.current().pid())
        : dataRootBase.resolve("bench-data-" + ProcessHandle.current().pid());
    this.logDir = repo.resolve("bench/target/logs");
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setBlockedThreadCheckInterval(60_000));
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    boolean publish = true;
    Path repo = Paths.get(".").toAbsolutePath().normalize();
    Path jar = null;
    String etcd = "/usr/bin/etcd";
    List<String> javaOpts = new ArrayList<>();
    Set<String> only = new LinkedHashSet<>();
    Path renderOnly = null;
    String watch = null;
    String seconds = null;
    String clusterSeconds = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--no-publish" -> publish = false;
        case "--repo" -> repo = Paths.get(args[++i]).toAbsolutePath().normalize();
        case "--keyway-jar" -> jar = Paths.get(args[++i]);
        case "--etcd" -> etcd = args[++i];
        case "--keyway-java-opts" -> javaOpts.addAll(Arrays.asList(args[++i].trim().split("\\s+")));
        case "--only" -> only.addAll(Arrays.asList(args[++i].split(",")));
        case "--render" -> renderOnly = Paths.get(args[++i]);
        case "--watch" -> watch = args[++i];
        case "--seconds" -> seconds = args[++i];
        case "--cluster-seconds" -> clusterSeconds = args[++i];
        case "--port-base" -> portBase = Integer.parseInt(args[++i]);
        case "--data-root" -> dataRootBase = Paths.get(args[++i]);
        default -> {
          System.err.println("usage: keyway-bench [--quick] [--no-publish] [--only id,id] [--repo DIR]"
              + " [--keyway-jar JAR] [--etcd BIN] [--keyway-java-opts 'OPTS'] [--watch N:PUTS_PER_S,...] [--seconds WARMUP:MEASURE] [--cluster-seconds WARMUP:MEASURE[:AVAILABILITY]] [--port-base N] [--data-root DIR] | --render results.json");
          System.exit(2);
        }
      }
    }
    if (renderOnly != null) {
      Results r = JSON.readValue(renderOnly.toFile(), Results.class);
      System.out.println(TextTable.render(r));
      Publisher.publish(repo, r, renderOnly.getFileName().toString());
      return;
    }
    Settings settings = quick ? Settings.quickRun() : Settings.fullRun();
    if (watch != null) {
      settings = settings.withWatch(watch);
    }
    if (seconds != null) {
      settings = settings.withWindows(seconds);
    }
    if (clusterSeconds != null) {
      settings = settings.withClusterWindows(clusterSeconds);
    }
    BenchMain bench = new BenchMain(settings, repo, jar, etcd, javaOpts, only);
    int code = bench.runAll(publish && !quick && only.isEmpty());
    System.exit(code);
  }

  private int runAll(boolean publish) throws IOException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    results.startedAt = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    results.mode = settings.quick() ? "quick" : "full";
    results.machine = Machine.describe(etcdBinary, java);
    results.machine.put("keywayCommit", Machine.run(List.of("git", "-C", repo.toString(), "log", "-1",
        "--format=%h %cI %s")).lines().findFirst().orElse("?"));
    results.settings = settings.describe();
    results.settings.put("keywayLauncher", String.join(" ", keywayLauncher()) + (keywayJar == null
        ? " (the README's way: the launcher built next to keyway.jar, with its JVM flags)" : " (a given jar)"));
    results.settings.put("dataDirs", dataRoot + " (same filesystem for both; both fsync)");
    System.out.println("keyway-bench " + results.mode + " run; machine: " + results.machine);
    try {
      if (only.isEmpty() || only.stream().anyMatch(o -> !o.startsWith("cluster3"))) {
        singleMemberWorkloads();
      }
      if (want("rss-1m-keys")) {
        rssWithManyKeys();
      }
      if (want("cold-start")) {
        coldStart();
      }
      if (want("v2-longpoll-10000")) {
        v2LongPolls();
      }
      if (want("cache-100k")) {
        keyspaceCache();
      }
      String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
      new ClusterBench(vertx, settings, kind -> name -> newServer(kind, name), this::launcher, this::want,
          this::add, results.problems, repo.resolve("bench/target/histories/" + stamp)).run();
    } catch (RuntimeException e) {
      results.problems.add("driver failure: " + e);
      e.printStackTrace();
    } finally {
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // the JVM exits right after; nothing left to flush
      }
      Server.deleteRecursively(dataRoot);
    }
    results.finishedAt = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    results.machine.put("loadAverageAtEnd", Machine.run(List.of("cat", "/proc/loadavg")));
    for (Row row : results.rows) {
      if (row.etcd != null && row.etcd.hasProblem()) {
        results.problems.add(row.id + " on etcd: " + row.etcd.problem());
      }
      if (row.keyway != null && row.keyway.hasProblem()) {
        results.problems.add(row.id + " on Keyway: " + row.keyway.problem());
      }
    }
    System.out.println();
    System.out.println(TextTable.render(results));
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    Path out = settings.quick() || !publish
        ? repo.resolve("bench/target/results/" + stamp + "-" + results.mode + ".json")
        : repo.resolve("bench/results/" + stamp + ".json");
    Files.createDirectories(out.getParent());
    JSON.writeValue(out.toFile(), results);
    System.out.println("results: " + out);
    if (publish) {
      Files.copy(out, repo.resolve("bench/results/latest.json"), StandardCopyOption.REPLACE_EXISTING);
      Publisher.publish(repo, results, out.getFileName().toString());
      System.out.println("updated docs/benchmarks.md and docs/benchmarks.svg");
    }
    if (!results.problems.isEmpty()) {
      System.out.println("FAILED: " + results.problems.size() + " problem(s):");
      results.problems.forEach(p -> System.out.println("  - " + p));
      return 1;
    }
    return 0;
  }

  private boolean want(String id) {
    return only.isEmpty() || only.contains(id)
        || only.stream().anyMatch(o -> o.endsWith("*") && id.startsWith(o.substring(0, o.length() - 1)));
  }

  // ---------------------------------------------------------------- single member

  private void singleMemberWorkloads() {
    Server etcd = null;
    Server keyway = null;
    try {
      etcd = startSingle(Server.Kind.ETCD, "e1");
      keyway = startSingle(Server.Kind.KEYWAY, "k1");
      Server.sleepMillis(settings.quick() ? 1000 : 5000);
      Row idle = new Row("idle-rss", "RSS of an idle fresh member", "MiB", false)
          .with(idleRss(etcd), idleRss(keyway)).ratioAtMost(3);
      add(idle);
      seedReadKey(etcd);
      seedReadKey(keyway);
      boolean singleLoads = only.isEmpty() || only.stream().anyMatch(o -> o.startsWith("http") || o.startsWith("grpc")
          || o.startsWith("lease") || o.startsWith("ws"));
      if (settings.jitWarmup().toSeconds() > 0 && singleLoads) {
        warmUp(etcd);
        warmUp(keyway);
      }
      closedLoopRow("http-put", "HTTP put, 256 B values, " + settings.httpConnections() + " connections", 3.0,
          etcd, keyway, s -> httpLoad(s, h -> Workloads.httpPut(h, "bench/put/")));
      closedLoopRow("http-range-linearizable", "HTTP range of one key, linearizable, "
          + settings.httpConnections() + " connections", 5.0, etcd, keyway,
          s -> httpLoad(s, h -> Workloads.httpRange(h, false)));
      closedLoopRow("http-range-serializable", "HTTP range of one key, serializable, "
          + settings.httpConnections() + " connections", 5.0, etcd, keyway,
          s -> httpLoad(s, h -> Workloads.httpRange(h, true)));
      closedLoopRow("http-txn", "HTTP txn (compare version, put 256 B), " + settings.httpConnections()
          + " connections", null, etcd, keyway, s -> httpLoad(s, Workloads::httpTxn));
      String grpcShape = settings.grpcClients() + " clients over " + settings.grpcConnections() + " connections";
      closedLoopRow("grpc-put", "gRPC put, 256 B values, " + grpcShape, 1.0, etcd, keyway,
          s -> grpcLoad(s, settings.grpcClients(), Workloads::grpcPut));
      closedLoopRow("grpc-range-linearizable", "gRPC range of one key, linearizable, " + grpcShape, 1.0, etcd,
          keyway, s -> grpcLoad(s, settings.grpcClients(), g -> Workloads.grpcRange(g, false)));
      closedLoopRow("grpc-range-serializable", "gRPC range of one key, serializable, " + grpcShape, 1.0, etcd,
          keyway, s -> grpcLoad(s, settings.grpcClients(), g -> Workloads.grpcRange(g, true)));
      int streams = settings.leaseStreams();
      closedLoopRow("lease-keepalive", "gRPC lease keep-alives, " + streams + " streams over "
          + settings.grpcConnections() + " connections", null, etcd, keyway,
          s -> grpcLoad(s, streams, g -> Workloads.leaseKeepAlive(g, streams)));
      for (int i = 0; i < settings.watchers().length; i++) {
        watchRows(etcd, keyway, settings.watchers()[i], settings.watchPutsPerSecond()[i]);
      }
    } catch (BenchException e) {
      results.problems.add("single-member setup: " + e.getMessage());
    } finally {
      if (etcd != null) {
        etcd.close();
      }
      if (keyway != null) {
        keyway.close();
      }
    }
  }

  /**
   * Before the first measurement each server gets the same unmeasured mix of the workloads: a JVM needs tens of
   * seconds of traffic before its JIT has compiled the hot paths (on 2 shared cores a 3 s warm-up measured
   * Keyway's puts at a fraction of their steady rate). etcd gets the same, so both are at steady state.
   */
  private void warmUp(Server s) {
    long each = Math.max(1, settings.jitWarmup().toMillis() / 5);
    System.out.println("== warm-up of " + s + ": " + settings.jitWarmup().toSeconds() + " s of puts, ranges, txns");
    List<Load> mix = List.of(
        srv -> httpLoad(srv, h -> Workloads.httpPut(h, "bench/warm/"), each),
        srv -> httpLoad(srv, h -> Workloads.httpRange(h, false), each),
        srv -> httpLoad(srv, Workloads::httpTxn, each),
        srv -> grpcLoad(srv, settings.grpcClients(), Workloads::grpcPut, each),
        srv -> grpcLoad(srv, settings.grpcClients(), g -> Workloads.grpcRange(g, false), each));
    for (Load load : mix) {
      try {
        Side side = load.run(s);
        if (side.hasProblem()) {
          results.problems.add("warm-up on " + s + ": " + side.problem());
        }
      } catch (BenchException | RuntimeException e) {
        results.problems.add("warm-up on " + s + ": " + e.getMessage());
      }
    }
  }

  private Side idleRss(Server s) {
    Side side = new Side();
    side.value = Meter.round1(ProcStats.rssMib(s.pid()));
    side.peakRssMib = Meter.round1(ProcStats.peakRssMib(s.pid()));
    side.loadAvgStart = side.loadAvgEnd = ProcStats.loadAverage();
    return side;
  }

  private void seedReadKey(Server s) throws BenchException {
    try (GrpcConnections g = new GrpcConnections(vertx, s.clientPort, 1)) {
      g.kv(0).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(Workloads.READ_KEY))
          .setValue(ByteString.copyFrom(Payloads.value(Workloads.VALUE_SIZE, 9))).build())
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new BenchException("cannot seed " + s + ": " + e, e);
    }
  }

  /** A load on one server: what to send, and how many lanes. */
  private interface Load {
    Side run(Server s) throws BenchException;
  }

  private void closedLoopRow(String id, String description, Double ratioTarget, Server etcd, Server keyway,
      Load load) {
    if (!want(id)) {
      return;
    }
    System.out.println("== " + id + ": " + description);
    Side[] sides = alternate(etcd, keyway, load);
    Row row = new Row(id, description, "ops/s", true).with(sides[0], sides[1]);
    if (ratioTarget != null) {
      row.ratioAtLeast(ratioTarget);
    }
    add(row);
  }

  /** Runs {@code load} on both servers, etcd first on even calls and Keyway first on odd ones. */
  private Side[] alternate(Server etcd, Server keyway, Load load) {
    Side[][] sides = alternateMulti(etcd, keyway, s -> new Side[] {load.run(s)}, 1);
    return new Side[] {sides[0][0], sides[1][0]};
  }

  /** A load that yields several rows' worth of numbers per server. */
  private interface MultiLoad {
    Side[] run(Server s) throws BenchException;
  }

  /** [0] = etcd's sides, [1] = Keyway's; a failure fills all {@code n} sides of that server. */
  private Side[][] alternateMulti(Server etcd, Server keyway, MultiLoad load, int n) {
    Side[][] sides = new Side[2][];
    boolean etcdFirst = orderFlip++ % 2 == 0;
    for (int step = 0; step < 2; step++) {
      boolean doEtcd = (step == 0) == etcdFirst;
      Server s = doEtcd ? etcd : keyway;
      Side[] result;
      try {
        s.checkAlive();
        result = load.run(s);
        s.checkAlive();
      } catch (BenchException | RuntimeException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        result = new Side[n];
        for (int i = 0; i < n; i++) {
          result[i] = Side.failed(why);
        }
      }
      for (Side side : result) {
        System.out.println("   " + s.kind.label + ": " + TextTable.brief(side));
      }
      sides[doEtcd ? 0 : 1] = result;
    }
    return sides;
  }

  private Side httpLoad(Server s, java.util.function.Function<HttpJson, IntFunction<Future<?>>> op)
      throws BenchException {
    return httpLoad(s, op, -1);
  }

  /** {@code warmOnlyMillis} &gt; 0: only that long, unmeasured (the global warm-up). */
  private Side httpLoad(Server s, java.util.function.Function<HttpJson, IntFunction<Future<?>>> op,
      long warmOnlyMillis) throws BenchException {
    try (HttpJson http = new HttpJson(vertx, s.clientPort, settings.httpConnections())) {
      return closedLoop(List.of(s), settings.httpConnections(), op.apply(http), warmOnlyMillis);
    }
  }

  private Side grpcLoad(Server s, int lanes, java.util.function.Function<GrpcConnections, IntFunction<Future<?>>> op)
      throws BenchException {
    return grpcLoad(s, lanes, op, -1);
  }

  private Side grpcLoad(Server s, int lanes, java.util.function.Function<GrpcConnections, IntFunction<Future<?>>> op,
      long warmOnlyMillis) throws BenchException {
    try (GrpcConnections grpc = new GrpcConnections(vertx, s.clientPort, settings.grpcConnections())) {
      return closedLoop(List.of(s), lanes, op.apply(grpc), warmOnlyMillis);
    }
  }

  private Side closedLoop(List<Server> servers, int lanes, IntFunction<Future<?>> op) throws BenchException {
    return closedLoop(servers, lanes, op, -1);
  }

  private Side closedLoop(List<Server> servers, int lanes, IntFunction<Future<?>> op, long warmOnlyMillis)
      throws BenchException {
    Side side = new Side();
    Duration warm = warmOnlyMillis > 0 ? Duration.ofMillis(warmOnlyMillis) : settings.warmup();
    Duration measure = warmOnlyMillis > 0 ? Duration.ofMillis(200) : settings.measure();
    new ClosedLoop(vertx, lanes, op).run(warm, measure, new Meter(servers), side);
    side.extra.put("concurrency", lanes);
    return side;
  }

  private void watchRows(Server etcd, Server keyway, int watchers, double rate) {
    String id = "ws-watch-" + watchers;
    if (!want(id)) {
      return;
    }
    int window = settings.watchWindow();
    String what = "WebSocket watch fan-out, " + watchers + " watchers of one key";
    System.out.println("== " + id + ": " + what + "; " + rate + " puts/s, then " + window + " puts in flight");
    Side[][] sides = alternateMulti(etcd, keyway, s -> new WatchFanout(vertx, s, watchers, rate,
        settings.quick() ? 500 : 3000).run(settings.watchDuration(), settings.watchDrain(), window), 2);
    add(new Row(id + "-fixed-rate", what + ", " + Row.fmt(rate) + " puts/s offered (open loop): events/s"
        + " delivered and delivery latency at equal load", "events/s", true).with(sides[0][0], sides[1][0]));
    add(new Row(id, what + ", saturated (at most " + window + " puts not yet delivered to all): events/s"
        + " delivered and delivery latency", "events/s", true).with(sides[0][1], sides[1][1])
        .ratioAtLeastWithP99(3));
    add(new Row(id + "-rss", "server RSS growth per 1 000 WebSocket watchers (" + watchers + " idle watchers)",
        "MiB", false).with(rssPer1k(sides[0][0]), rssPer1k(sides[1][0])));
  }

  private static Side rssPer1k(Side watch) {
    Side s = new Side();
    Object v = watch.extra.get("rssPer1kWatchersMib");
    if (v instanceof Number n) {
      s.value = n.doubleValue();
    } else {
      s.failure = watch.failure == null ? "not measured" : "watch run failed";
    }
    return s;
  }

  // ---------------------------------------------------------------- footprint and start-up

  private void rssWithManyKeys() {
    long keys = settings.bulkKeys();
    String id = "rss-1m-keys";
    String description = "RSS after writing " + keys + " keys (" + BulkLoad.VALUE_SIZE + " B values, txns of "
        + BulkLoad.PER_TXN + ")";
    System.out.println("== " + id + ": " + description);
    Side[] sides = new Side[2];
    Server.Kind[] order = orderFlip++ % 2 == 0
        ? new Server.Kind[] {Server.Kind.ETCD, Server.Kind.KEYWAY}
        : new Server.Kind[] {Server.Kind.KEYWAY, Server.Kind.ETCD};
    for (Server.Kind kind : order) {
      Side side = new Side();
      try (Server s = startSingle(kind, "bulk")) {
        Meter meter = new Meter(List.of(s));
        meter.begin();
        double seconds;
        try (GrpcConnections g = new GrpcConnections(vertx, s.clientPort, 2)) {
          seconds = BulkLoad.load(vertx, g, keys, 16);
        }
        Server.sleepMillis(settings.quick() ? 500 : 5000);
        meter.end();
        s.checkAlive();
        side.value = Meter.round1(ProcStats.rssMib(s.pid()));
        side.ops = keys;
        side.errors = 0L;
        meter.fill(side, keys);
        side.extra.put("loadSeconds", Meter.round2(seconds));
        side.extra.put("keysPerSecond", Meter.round1(keys / seconds));
        side.extra.put("vmHwmMib", Meter.round1(ProcStats.peakRssMib(s.pid())));
        side.extra.put("dataDirMib", Meter.round1(dirSizeMib(dataRoot)));
      } catch (BenchException | RuntimeException e) {
        side = Side.failed(String.valueOf(e.getMessage()));
      }
      System.out.println("   " + kind.label + ": " + TextTable.brief(side));
      sides[kind == Server.Kind.ETCD ? 0 : 1] = side;
    }
    add(new Row(id, description, "MiB", false).with(sides[0], sides[1]).ratioAtMost(1.5));
  }

  /**
   * Issue #16: the Java client's KeyspaceCache (clients/java) over many keys, beside a plain jetcd watch. Each
   * server is fresh; which one goes first alternates between runs, as elsewhere.
   */
  private void keyspaceCache() {
    long keys = settings.quick() ? 10_000 : 100_000;
    String id = "cache-100k";
    String description = "keyway-client KeyspaceCache of " + keys + " keys through jetcd: events/s applied "
        + "during a rewrite of every key (extra: load time, heap, a plain jetcd watch loop)";
    System.out.println("== " + id + ": " + description);
    Side[] sides = new Side[2];
    for (Server.Kind kind : firstAndSecond()) {
      Side side;
      try (Server s = startSingle(kind, "cache")) {
        side = CacheBench.measure(vertx, s, keys);
        s.checkAlive();
      } catch (BenchException | RuntimeException e) {
        side = Side.failed(String.valueOf(e.getMessage()));
      }
      System.out.println("   " + kind.label + ": " + TextTable.brief(side));
      sides[kind == Server.Kind.ETCD ? 0 : 1] = side;
    }
    add(new Row(id, description, "events/s", true).with(sides[0], sides[1]));
  }

  /**
   * Issue #15: parked v2 long-polls on one key (10 000; 200 in --quick) of a fresh member started with
   * --enable-v2, then one write: time until every poll has its answer, and the server's memory per parked poll.
   */
  private void v2LongPolls() {
    int polls = settings.quick() ? 200 : 10_000;
    String id = "v2-longpoll-10000";
    String what = polls + " parked v2 long-polls (GET /v2/keys/k?wait=true, one connection each) on one key";
    System.out.println("== " + id + ": " + what + ", then one write");
    Side[][] sides = new Side[2][];
    for (Server.Kind kind : firstAndSecond()) {
      Side[] result;
      Server s = newServer(kind, "v2").configureSingle().withFlag("--enable-v2");
      try {
        s.launch(launcher(kind));
        s.awaitServing(Duration.ofSeconds(90), 100);
        // unmeasured first: the same cycle with a fifth of the polls, so a JVM's answer path is compiled (the
        // other workloads get 30 s of traffic for that) and both servers have served v2 watches before
        Side warm = new V2LongPolls(vertx, s, Math.max(50, polls / 5), 300).run()[0];
        if (warm.hasProblem()) {
          throw new BenchException("warm-up round: " + warm.problem());
        }
        result = new V2LongPolls(vertx, s, polls, settings.quick() ? 300 : 3000).run();
        s.checkAlive();
      } catch (BenchException | IOException | RuntimeException e) {
        result = new Side[] {Side.failed(String.valueOf(e.getMessage())), Side.failed("long-poll run failed")};
      } finally {
        s.close();
      }
      for (Side side : result) {
        System.out.println("   " + kind.label + ": " + TextTable.brief(side));
      }
      sides[kind == Server.Kind.ETCD ? 0 : 1] = result;
    }
    add(new Row(id, what + ": ms from sending one write until the last poll has its answer (p50/p99: each "
        + "poll's answer)", "ms", false).with(sides[0][0], sides[1][0]));
    add(new Row(id + "-rss", "server RSS growth per 1 000 parked v2 long-polls (" + polls + " parked)", "MiB",
        false).with(sides[0][1], sides[1][1]));
  }

  /** The two kinds in this workload's order: etcd first on even workloads, Keyway first on odd ones. */
  private Server.Kind[] firstAndSecond() {
    return orderFlip++ % 2 == 0
        ? new Server.Kind[] {Server.Kind.ETCD, Server.Kind.KEYWAY}
        : new Server.Kind[] {Server.Kind.KEYWAY, Server.Kind.ETCD};
  }

  private void coldStart() {
    String id = "cold-start";
    String description = "cold start (process start to first served range, fresh data dir), median of "
        + settings.coldStartRepeats();
    System.out.println("== " + id + ": " + description);
    Side[] sides = new Side[2];
    for (Server.Kind kind : new Server.Kind[] {Server.Kind.ETCD, Server.Kind.KEYWAY}) {
      Side side = new Side();
      List<Double> times = new ArrayList<>();
      try {
        for (int i = 0; i < settings.coldStartRepeats(); i++) {
          try (Server s = newServer(kind, "cold").configureSingle().launch(launcher(kind))) {
            long served = s.awaitServing(Duration.ofSeconds(90), 5);
            times.add((served - s.startedAtNanos()) / 1e9);
          }
        }
        times.sort(Double::compare);
        side.value = Meter.round2(times.get(times.size() / 2));
        side.extra.put("runsSeconds", times.stream().map(Meter::round2).toList());
        side.loadAvgStart = side.loadAvgEnd = ProcStats.loadAverage();
      } catch (BenchException | IOException e) {
        side = Side.failed(String.valueOf(e.getMessage()));
      }
      System.out.println("   " + kind.label + ": " + TextTable.brief(side));
      sides[kind == Server.Kind.ETCD ? 0 : 1] = side;
    }
    add(new Row(id, description, "s", false).with(sides[0], sides[1]).keywayAtMost(1.5));
  }

  // ---------------------------------------------------------------- processes

  private Server startSingle(Server.Kind kind, String name) throws BenchException {
    Server s = newServer(kind, name).configureSingle();
    try {
      s.launch(launcher(kind));
      s.awaitServing(Duration.ofSeconds(90), 100);
      return s;
    } catch (IOException e) {
      s.close();
      throw new BenchException("cannot start " + s + ": " + e, e);
    } catch (BenchException e) {
      s.close();
      throw e;
    }
  }

  private Server newServer(Server.Kind kind, String name) {
    int client = freePort();
    int peer = freePort();
    return new Server(kind, name, client, peer, dataRoot, logDir);
  }

  private List<String> launcher(Server.Kind kind) {
    return kind == Server.Kind.ETCD ? List.of(etcdBinary) : keywayLauncher();
  }

  /**
   * Keyway as users start it: the {@code keyway} launcher that the build writes next to keyway.jar (it carries
   * the supported JVM flags); --keyway-java-opts reach it as KEYWAY_JAVA_OPTS. With --keyway-jar: plain
   * {@code java [opts] -jar JAR}.
   */
  private List<String> keywayLauncher() {
    List<String> cmd = new ArrayList<>();
    if (keywayJar == null) {
      if (!keywayJavaOpts.isEmpty()) {
        cmd.add("env");
        cmd.add("KEYWAY_JAVA_OPTS=" + String.join(" ", keywayJavaOpts));
      }
      cmd.add(repo.resolve("gateway/target/keyway").toString());
      return cmd;
    }
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(keywayJavaOpts);
    cmd.add("-jar");
    cmd.add(keywayJar.toString());
    return cmd;
  }

  /** The next free port of the bench range (portBase .. portBase + 999). */
  private int freePort() {
    while (nextPort < portBase + 1000) {
      int p = nextPort++;
      try (ServerSocket probe = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
        return p;
      } catch (IOException busy) {
        // taken; try the next
      }
    }
    throw new IllegalStateException("no free port left in " + portBase + "-" + (portBase + 999));
  }

  private void add(Row row) {
    results.rows.add(row);
  }

  private static double dirSizeMib(Path dir) {
    try (var paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() / 1024.0 / 1024.0;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
