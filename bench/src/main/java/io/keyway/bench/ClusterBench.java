package io.keyway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The 3-member rows (issue #14): a 3-member etcd and a 3-member Keyway cluster, both started before the first
 * row; put and linearizable range at 1 and 64 connections via the leader and via a follower, over HTTP/JSON and
 * gRPC, each row run on both clusters one after the other (alternating which goes first); then the availability
 * row on both. Everything goes through the servers' client ports and the launcher, nothing else.
 */
final class ClusterBench {
  static final String PREFIX = "cluster3-";
  static final String AVAILABILITY = PREFIX + "availability";
  static final int AVAILABILITY_CLIENTS = 10;

  /** One closed-loop row: protocol (http, grpc), operation (put, range), where the load goes, connections. */
  record Spec(String protocol, String op, boolean viaLeader, int connections) {
    String id() {
      return PREFIX + protocol + "-" + op + "-" + (viaLeader ? "leader" : "follower") + "-c" + connections;
    }

    boolean latencyRow() {
      return connections == 1;
    }

    /** Issue #14's targets: 1-connection latency ≤ 1× etcd's (a follower's put ≤ 1.5×), 64-connection throughput ≥ 1.5×. */
    double target() {
      if (!latencyRow()) {
        return 1.5;
      }
      return !viaLeader && op.equals("put") ? 1.5 : 1.0;
    }

    String description(int grpcConnections) {
      String what = op.equals("put") ? "put (256 B values)" : "linearizable range of one key";
      String shape = protocol.equals("http")
          ? connections + (connections == 1 ? " HTTP/1.1 connection" : " HTTP/1.1 connections")
          : connections == 1 ? "1 gRPC client" : connections + " gRPC clients over " + grpcConnections + " connections";
      return "3-member cluster, " + (protocol.equals("http") ? "HTTP/JSON " : "gRPC ") + what + " via "
          + (viaLeader ? "the leader" : "a follower") + ", " + shape
          + (latencyRow() ? ": mean latency" : ": throughput");
    }
  }

  static List<Spec> specs(boolean quick) {
    if (quick) {
      // CI: the leader and follower paths and both protocols, short windows
      return List.of(new Spec("http", "put", true, 64), new Spec("http", "put", false, 1),
          new Spec("grpc", "range", false, 64));
    }
    List<Spec> all = new ArrayList<>();
    for (String protocol : List.of("http", "grpc")) {
      for (String op : List.of("put", "range")) {
        for (boolean leader : List.of(true, false)) {
          for (int c : List.of(1, 64)) {
            all.add(new Spec(protocol, op, leader, c));
          }
        }
      }
    }
    return all;
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Function<Server.Kind, Function<String, Server>> newMember;
  private final Function<Server.Kind, List<String>> launcher;
  private final Predicate<String> want;
  private final Consumer<Row> add;
  private final List<String> problems;
  private final Path historyDir;
  private int flip;

  ClusterBench(Vertx vertx, Settings settings, Function<Server.Kind, Function<String, Server>> newMember,
      Function<Server.Kind, List<String>> launcher, Predicate<String> want, Consumer<Row> add,
      List<String> problems, Path historyDir) {
    this.vertx = vertx;
    this.settings = settings;
    this.newMember = newMember;
    this.launcher = launcher;
    this.want = want;
    this.add = add;
    this.problems = problems;
    this.historyDir = historyDir;
  }

  void run() {
    List<Spec> rows = specs(settings.quick()).stream().filter(s -> want.test(s.id())).toList();
    boolean availability = want.test(AVAILABILITY);
    if (rows.isEmpty() && !availability) {
      return;
    }
    long started = System.nanoTime();
    System.out.println("== 3-member clusters: starting 3 etcd and 3 Keyway members");
    Cluster[] clusters = new Cluster[2];
    String[] failed = new String[2];
    try {
      for (Server.Kind kind : Server.Kind.values()) {
        int i = kind == Server.Kind.ETCD ? 0 : 1;
        try {
          clusters[i] = Cluster.launch(vertx, kind, newMember.apply(kind), launcher.apply(kind));
        } catch (IOException | RuntimeException e) {
          failed[i] = "cannot start the " + kind.label + " cluster: " + e;
        }
      }
      for (int i = 0; i < 2; i++) {
        if (clusters[i] != null && failed[i] == null) {
          try {
            long t = System.nanoTime();
            clusters[i].awaitReady();
            seedReadKey(clusters[i]);
            System.out.printf("   %s ready %.1f s later (%.1f s since the launch)%n", clusters[i],
                (System.nanoTime() - t) / 1e9, (System.nanoTime() - started) / 1e9);
          } catch (BenchException | RuntimeException e) {
            failed[i] = String.valueOf(e.getMessage());
          }
        }
      }
      if (settings.clusterJitWarmup().toMillis() > 0 && !rows.isEmpty()) {
        for (int i = 0; i < 2; i++) {
          if (failed[i] == null) {
            failed[i] = warmUp(clusters[i]);
          }
        }
      }
      for (Spec spec : rows) {
        System.out.println("== " + spec.id() + ": " + spec.description(settings.grpcConnections()));
        Side[] sides = alternate(clusters, failed, c -> measure(c, spec));
        Row row = spec.latencyRow()
            ? new Row(spec.id(), spec.description(settings.grpcConnections()), "ms avg", false)
                .with(sides[0], sides[1]).ratioAtMost(spec.target())
            : new Row(spec.id(), spec.description(settings.grpcConnections()), "ops/s", true)
                .with(sides[0], sides[1]).ratioAtLeast(spec.target());
        add.accept(row);
      }
      if (availability) {
        long window = settings.availabilityWindow().toSeconds();
        String description = "3-member cluster, " + window + " s of HTTP puts and linearizable ranges by "
            + AVAILABILITY_CLIENTS + " clients spread over the members, while a member is kill -9ed (the leader "
            + Math.round(Availability.LEADER_BIAS * 100) + " % of the time) every ~4.5 s and restarted 1.5 s later:"
            + " successful ops/s";
        System.out.println("== " + AVAILABILITY + ": " + description);
        Side[] sides = alternate(clusters, failed, c -> new Availability(vertx, c, settings.availabilityWindow(),
            AVAILABILITY_CLIENTS, 14, historyDir.resolve(c.kind.label + "-availability.jsonl")).run());
        for (int i = 0; i < 2; i++) {
          checkCorrectness(i == 0 ? "etcd" : "Keyway", sides[i]);
        }
        add.accept(new Row(AVAILABILITY, description, "ok ops/s", true).with(sides[0], sides[1])
            .availabilityTarget());
      }
    } finally {
      for (Cluster c : clusters) {
        if (c != null) {
          c.close();
        }
      }
      System.out.printf("== 3-member rows took %.0f s%n", (System.nanoTime() - started) / 1e9);
    }
  }

  /** A non-linearizable history or a lost acknowledged write fails the run, on either server. */
  private void checkCorrectness(String who, Side side) {
    if (side.failure != null) {
      return;
    }
    Object lin = side.extra.get("linearizable");
    if ("NO".equals(lin)) {
      problems.add(AVAILABILITY + " on " + who + ": not linearizable: " + side.extra.get("checker"));
    }
    if (side.extra.get("lostAcknowledgedWrites") instanceof Number n && n.longValue() > 0) {
      problems.add(AVAILABILITY + " on " + who + ": " + n + " acknowledged writes lost, e.g. "
          + side.extra.get("lostExamples"));
    }
  }

  private interface ClusterLoad {
    Side run(Cluster c) throws BenchException;
  }

  /** [0] etcd, [1] Keyway; etcd first on even calls. A cluster that failed gives failed sides. */
  private Side[] alternate(Cluster[] clusters, String[] failed, ClusterLoad load) {
    Side[] sides = new Side[2];
    boolean etcdFirst = flip++ % 2 == 0;
    for (int step = 0; step < 2; step++) {
      int i = (step == 0) == etcdFirst ? 0 : 1;
      Side side;
      if (failed[i] != null) {
        side = Side.failed(failed[i]);
      } else {
        try {
          clusters[i].checkAlive();
          side = load.run(clusters[i]);
          clusters[i].checkAlive();
        } catch (BenchException | RuntimeException e) {
          side = Side.failed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
      }
      System.out.println("   " + (i == 0 ? "etcd" : "keyway") + ": " + TextTable.brief(side));
      sides[i] = side;
    }
    return sides;
  }

  private Side measure(Cluster c, Spec spec) throws BenchException {
    double settled = settle(c);
    Server leader = c.leader();
    Server target = spec.viaLeader() ? leader : c.follower(leader);
    Side side = new Side();
    load(target, spec, (lanes, op) -> {
      new ClosedLoop(vertx, lanes, op).run(settings.clusterWarmup(), settings.clusterMeasure(),
          new Meter(c.members), side);
      return null;
    });
    side.extra.put("concurrency", spec.connections());
    side.extra.put("loadOn", (spec.viaLeader() ? "leader " : "follower ") + target.name);
    side.extra.put("idleAfterSeconds", settled);
    Server after = c.leader();
    if (after != leader) {
      side.extra.put("leaderChangedTo", after.name);
    }
    if (spec.latencyRow()) {
      side.value = side.avgMs;
    }
    return side;
  }

  /** A cluster whose members use less than this many CPU-seconds per second, together, is idle. */
  private static final double IDLE_CPU_PER_SECOND = 0.1 * Cluster.SIZE;
  private static final int IDLE_SECONDS = 3;
  private static final Duration SETTLE_AT_MOST = Duration.ofSeconds(60);

  /**
   * Waits until the cluster has been idle for a few seconds (at most a minute) and returns the seconds waited. A
   * JVM's JIT compilers go on compiling for tens of seconds after the load that made methods hot (the warm-up,
   * the previous row): a row started meanwhile measures the compilers as much as the server. etcd is idle at
   * once; an idle Keyway member's timers use ~0.05 CPU-s per second.
   */
  private static double settle(Cluster c) {
    long start = System.nanoTime();
    long deadline = start + SETTLE_AT_MOST.toNanos();
    double last = Meter.cpuSeconds(c.members);
    int idle = 0;
    while (idle < IDLE_SECONDS && System.nanoTime() < deadline) {
      Server.sleepMillis(1000);
      double now = Meter.cpuSeconds(c.members);
      idle = now - last < IDLE_CPU_PER_SECOND ? idle + 1 : 0;
      last = now;
    }
    return Math.round((System.nanoTime() - start) / 1e8) / 10.0;
  }

  private interface LoopRunner {
    Void run(int lanes, IntFunction<Future<?>> op) throws BenchException;
  }

  /** Opens the row's connections to {@code target} and runs {@code runner} with its request. */
  private void load(Server target, Spec spec, LoopRunner runner) throws BenchException {
    boolean put = spec.op().equals("put");
    if (spec.protocol().equals("http")) {
      try (HttpJson http = new HttpJson(vertx, target.clientPort, spec.connections())) {
        runner.run(spec.connections(), put ? Workloads.httpPut(http, "bench/c3/")
            : Workloads.httpRange(http, false));
      }
    } else {
      int conns = Math.min(spec.connections(), settings.grpcConnections());
      try (GrpcConnections grpc = new GrpcConnections(vertx, target.clientPort, conns)) {
        runner.run(spec.connections(), put ? Workloads.grpcPut(grpc) : Workloads.grpcRange(grpc, false));
      }
    }
  }

  /**
   * Unmeasured traffic through every member before the first row (JVMs need it before the JIT has compiled the
   * hot paths; etcd gets the same): HTTP and gRPC puts and ranges, 16 lanes per member. Null when it went well.
   */
  private String warmUp(Cluster c) {
    Duration each = settings.clusterJitWarmup().dividedBy(4);
    System.out.println("== warm-up of the " + c + ": " + settings.clusterJitWarmup().toSeconds()
        + " s of puts and ranges through every member");
    List<Spec> kinds = List.of(new Spec("http", "put", true, 16), new Spec("http", "range", true, 16),
        new Spec("grpc", "put", true, 16), new Spec("grpc", "range", true, 16));
    for (Spec spec : kinds) {
      try {
        Side side = new Side();
        List<AutoCloseable> open = new ArrayList<>();
        List<IntFunction<Future<?>>> perMember = new ArrayList<>();
        boolean put = spec.op().equals("put");
        for (Server m : c.members) {
          if (spec.protocol().equals("http")) {
            HttpJson http = new HttpJson(vertx, m.clientPort, spec.connections());
            open.add(http);
            perMember.add(put ? Workloads.httpPut(http, "bench/c3warm/") : Workloads.httpRange(http, false));
          } else {
            GrpcConnections grpc = new GrpcConnections(vertx, m.clientPort, 2);
            open.add(grpc);
            perMember.add(put ? Workloads.grpcPut(grpc) : Workloads.grpcRange(grpc, false));
          }
        }
        try {
          int lanes = spec.connections() * Cluster.SIZE;
          new ClosedLoop(vertx, lanes, lane -> perMember.get(lane % Cluster.SIZE).apply(lane / Cluster.SIZE))
              .run(each, Duration.ofMillis(200), new Meter(c.members), side);
        } finally {
          for (AutoCloseable a : open) {
            a.close();
          }
        }
        if (side.hasProblem()) {
          return "warm-up: " + side.problem();
        }
      } catch (Exception e) {
        return "warm-up: " + e;
      }
    }
    return null;
  }

  private void seedReadKey(Cluster c) throws BenchException {
    try (HttpJson http = new HttpJson(vertx, c.members.get(0).clientPort, 1)) {
      http.post("/v3/kv/put", Buffer.buffer("{\"key\":\"" + Payloads.b64(Workloads.READ_KEY) + "\",\"value\":\""
          + Payloads.b64(Payloads.value(Workloads.VALUE_SIZE, 9)) + "\"}")).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new BenchException("cannot seed " + c + ": " + e, e);
    }
  }
}
