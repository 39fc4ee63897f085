package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jepsen-style test of three real members: clients over HTTP/JSON and gRPC (some sticking to one member, some
 * rotating) run puts, linearizable gets, compare-and-set txns and deletes on a few keys while a nemesis kills
 * the leader (kill -9) and restarts it, freezes the leader (SIGSTOP) past the election timeout and thaws it,
 * freezes a follower, and restarts every member. The recorded history must be linearizable per key (with
 * etcd's revision guarantees, see {@link LinearizabilityChecker}), no answer may be one etcd never gives
 * (500, unknown error), and every member must serve again at the end.
 *
 * <p>CI runs one short fixed schedule. Longer exploration: {@code -Djepsen.seconds=300 -Djepsen.seed=7} runs
 * random faults (drawn from the seed) for that long. {@code -Djepsen.partitions=true} (root and iproute2 needed)
 * runs every member in its own network namespace and adds network partitions to the faults: the leader isolated,
 * a follower isolated, the leader cut from one follower only (see {@link NetnsNetwork}).
 */
class LinearizabilityIT {

  private static final List<String> KEYS = List.of("lin/a", "lin/b", "lin/c", "lin/d");
  private static final int CLIENTS = 6;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** Longer than the largest election timeout (2 x --election-timeout, 1 s by default). */
  private static final long FREEZE_MILLIS = 4000;
  /** Long enough for an election on the majority side, and for a cut-off leader to notice. */
  private static final long PARTITION_MILLIS = 8000;

  private ProcessCluster cluster;
  private NetnsNetwork network;
  private Vertx vertx;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (network != null) {
      network.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES) // bounded below by the run length; CI's run takes ~90 s
  void historyUnderFaultsIsLinearizable() throws Exception {
    long seconds = Long.getLong("jepsen.seconds", 0);
    long seed = Long.getLong("jepsen.seed", 1);
    boolean partitions = Boolean.getBoolean("jepsen.partitions");
    network = partitions ? NetnsNetwork.create(3) : null;
    cluster = ProcessCluster.start("lin", 3, network);
    vertx = Vertx.vertx();
    List<ServerProcess> members = cluster.members();
    List<RegisterClient> http = new ArrayList<>();
    List<RegisterClient> grpc = new ArrayList<>();
    for (ServerProcess m : members) {
      http.add(new RegisterClient.Http(m.memberName(), m.clientUrl(), REQUEST_TIMEOUT));
      grpc.add(new RegisterClient.Grpc(vertx, m.memberName(), m.clientUrl(), REQUEST_TIMEOUT));
    }

    List<RegisterOp> history = RegisterWorkload.newHistory();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    List<String> faults = new CopyOnWriteArrayList<>();
    List<RegisterWorkload> workers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      List<RegisterClient> via = i % 2 == 0 ? http : grpc;
      RegisterWorkload w = new RegisterWorkload(i, KEYS, n -> via.get(Math.floorMod(n, via.size())), i < 3,
          seed * 1000 + i, history, unexpected, 20);
      workers.add(w);
      pool.submit(w);
    }

    List<WatchRecorder> watchers = new ArrayList<>();
    for (ServerProcess m : members) {
      WatchRecorder w = new WatchRecorder(m.memberName() + "/watch", m.clientUrl(), "lin/");
      watchers.add(w);
      Thread t = new Thread(w, "watch-" + m.memberName());
      t.setDaemon(true);
      t.start();
    }

    Nemesis nemesis = new Nemesis(cluster, network, faults);
    long started = System.nanoTime();
    try {
      if (seconds <= 0) {
        nemesis.quiet(2000);
        nemesis.freezeLeader();
        nemesis.freezeFollower();
        nemesis.killLeaderAndRestart();
        nemesis.restartAll();
        if (partitions) {
          nemesis.isolateLeader();
          nemesis.cutLeaderFromFollower();
          nemesis.isolateFollower();
        }
        nemesis.quiet(2000);
      } else {
        Random random = new Random(seed);
        while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(seconds)) {
          switch (random.nextInt(partitions ? 8 : 5)) {
            case 0 -> nemesis.killLeaderAndRestart();
            case 1 -> nemesis.freezeLeader();
            case 2 -> nemesis.freezeFollower();
            case 3 -> nemesis.restartAll();
            case 5 -> nemesis.isolateLeader();
            case 6 -> nemesis.cutLeaderFromFollower();
            case 7 -> nemesis.isolateFollower();
            default -> nemesis.quiet(1000 + random.nextInt(3000));
          }
        }
      }
    } finally {
      nemesis.heal();
      workers.forEach(RegisterWorkload::requestStop);
      pool.shutdown();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "clients did not stop");
    }

    // every member serves linearizable reads again; they are part of the history too
    for (ServerProcess m : members) {
      CompletableFuture.runAsync(m::awaitReady).get(90, TimeUnit.SECONDS);
    }
    List<String> unrecovered = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      for (RegisterClient c : List.of(http.get(i), grpc.get(i))) {
        for (String key : KEYS) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (!RegisterWorkload.finalRead(c, key, history)) {
            if (System.nanoTime() > deadline) {
              unrecovered.add(c.describe() + " " + key);
              break;
            }
            ServerProcess.sleep(200);
          }
        }
      }
    }

    List<String> watchProblems = checkWatchers(members.get(0), watchers);

    List<RegisterOp> ops = new ArrayList<>(history);
    long checkStart = System.nanoTime();
    List<String> violations = new LinearizabilityChecker().check(ops);
    System.out.printf("jepsen seed=%d seconds=%d ran %.1f s; faults: %s; ops: %s; checked in %d ms%n", seed,
        seconds, (System.nanoTime() - started) / 1e9, faults, RegisterWorkload.summary(ops),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checkStart));
    if (!violations.isEmpty()) {
      keepHistory(seed, ops, faults);
    }
    assertEquals(List.of(), violations, "history is not consistent");
    assertEquals(List.of(), unexpected.stream().limit(20).toList(), "answers etcd never gives");
    assertEquals(List.of(), unrecovered, "members that do not serve linearizable reads after healing");
    assertEquals(List.of(), watchProblems, "watchers must see every event once, in order");
    long answered = ops.stream().filter(RegisterOp::known).count();
    assertTrue(answered > 100, "too few answered operations: " + RegisterWorkload.summary(ops));
  }

  /**
   * Writes the whole history (every operation with its member, times and revisions, in invocation order) next to
   * the test reports, so that a violation seen once under load can be studied afterwards.
   */
  private static void keepHistory(long seed, List<RegisterOp> ops, List<String> faults) {
    List<RegisterOp> sorted = new ArrayList<>(ops);
    sorted.sort(Comparator.comparingLong(RegisterOp::invokeNanos));
    long t0 = sorted.isEmpty() ? 0 : sorted.get(0).invokeNanos();
    StringBuilder out = new StringBuilder("faults: " + faults + "\n");
    for (RegisterOp op : sorted) {
      String end = op.known() ? String.format("%.3f", (op.completeNanos() - t0) / 1e9) : "?";
      out.append(String.format("%.3f %s %s rev=%d via=%s%n", (op.invokeNanos() - t0) / 1e9, end, op, op.revision(),
          op.via()));
    }
    Path file = Path.of("target", "jepsen-history-seed" + seed + "-" + System.currentTimeMillis() + ".txt");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, out);
      System.out.println("jepsen history kept in " + file.toAbsolutePath());
    } catch (IOException e) {
      System.out.println("could not keep the jepsen history: " + e);
    }
  }

  /**
   * Every watcher reaches the final revision and its events are exactly the cluster's event history up to there
   * (read by a fresh watch from revision 1).
   */
  private static List<String> checkWatchers(ServerProcess member, List<WatchRecorder> watchers) {
    long finalRevision = member.http().ok("/v3/kv/range", Json.obj("key", Json.b64("lin/a"))).path("header")
        .path("revision").asLong();
    WatchRecorder truth = new WatchRecorder("history", member.clientUrl(), "lin/");
    Thread t = new Thread(truth, "watch-history");
    t.setDaemon(true);
    t.start();
    List<String> problems = new ArrayList<>();
    awaitRevision(truth, finalRevision, problems);
    truth.requestStop();
    for (WatchRecorder w : watchers) {
      awaitRevision(w, finalRevision, problems);
      w.requestStop();
      problems.addAll(w.compareWith(truth.events()));
    }
    System.out.printf("watch: %d events up to revision %d; reconnects %s%n", truth.events().size(), finalRevision,
        watchers.stream().map(w -> w.name() + "=" + w.reconnects()).toList());
    return problems;
  }

  private static void awaitRevision(WatchRecorder w, long revision, List<String> problems) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (w.nextRevision() <= revision) {
      if (System.nanoTime() > deadline) {
        problems.add(w.name() + " is stuck before revision " + w.nextRevision() + " of " + revision);
        return;
      }
      ServerProcess.sleep(200);
    }
  }

  /** The faults: which member they hit is decided at run time (the current leader or a follower). */
  private static final class Nemesis {
    private final ProcessCluster cluster;
    private final NetnsNetwork network;
    private final List<String> log;
    private final long t0 = System.nanoTime();

    Nemesis(ProcessCluster cluster, NetnsNetwork network, List<String> log) {
      this.cluster = cluster;
      this.network = network;
      this.log = log;
    }

    private void note(String what) {
      String line = String.format("%.1fs %s", (System.nanoTime() - t0) / 1e9, what);
      log.add(line);
      System.out.println("nemesis: " + line);
    }

    void quiet(long millis) {
      ServerProcess.sleep(millis);
    }

    private ServerProcess leader() {
      return cluster.awaitLeader(cluster.members(), 180_000); // restarts take long on a loaded 2-core box
    }

    void killLeaderAndRestart() {
      ServerProcess leader = leader();
      note("kill -9 leader " + leader.memberName());
      leader.kill();
      ServerProcess.sleep(3000);
      note("restart " + leader.memberName());
      leader.launch();
      ServerProcess.sleep(3000);
    }

    void freezeLeader() {
      ServerProcess leader = leader();
      note("SIGSTOP leader " + leader.memberName());
      leader.freeze();
      ServerProcess.sleep(FREEZE_MILLIS);
      leader.thaw();
      note("SIGCONT " + leader.memberName());
      ServerProcess.sleep(3000);
    }

    void freezeFollower() {
      ServerProcess leader = leader();
      ServerProcess follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
      note("SIGSTOP follower " + follower.memberName());
      follower.freeze();
      ServerProcess.sleep(FREEZE_MILLIS);
      follower.thaw();
      note("SIGCONT " + follower.memberName());
      ServerProcess.sleep(2000);
    }

    void restartAll() {
      note("kill -9 all");
      for (ServerProcess m : cluster.members()) {
        m.kill();
      }
      note("restart all");
      for (ServerProcess m : cluster.members()) {
        m.launch();
      }
      leader();
      note("leader after restart-all");
      ServerProcess.sleep(2000);
    }

    /** The leader alone on one side, long enough for the others to elect a new one; then healed. */
    void isolateLeader() {
      ServerProcess leader = leader();
      note("partition: leader " + leader.memberName() + " isolated");
      network.isolate(index(leader));
      ServerProcess.sleep(PARTITION_MILLIS);
      network.healAll();
      note("partition healed");
      ServerProcess.sleep(3000);
    }

    /** A follower alone on one side; then healed. */
    void isolateFollower() {
      ServerProcess leader = leader();
      ServerProcess follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
      note("partition: follower " + follower.memberName() + " isolated");
      network.isolate(index(follower));
      ServerProcess.sleep(PARTITION_MILLIS);
      network.healAll();
      note("partition healed");
      ServerProcess.sleep(2000);
    }

    /** The leader and one follower cannot talk; the third member still reaches both. */
    void cutLeaderFromFollower() {
      ServerProcess leader = leader();
      ServerProcess follower = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
      note("partition: leader " + leader.memberName() + " cut from follower " + follower.memberName());
      network.cut(index(leader), index(follower));
      ServerProcess.sleep(PARTITION_MILLIS);
      network.healAll();
      note("partition healed");
      ServerProcess.sleep(3000);
    }

    private int index(ServerProcess member) {
      return cluster.members().indexOf(member);
    }

    /** Thaws and starts whatever the faults left frozen or dead. */
    void heal() {
      if (network != null) {
        network.healAll();
      }
      for (ServerProcess m : cluster.members()) {
        if (m.isAlive()) {
          m.thaw();
        } else {
          m.launch();
        }
      }
    }
  }
}
