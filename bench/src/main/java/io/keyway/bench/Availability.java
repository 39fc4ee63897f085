package io.keyway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The availability row: clients write and read a few keys over HTTP, spread over all members, while a nemesis
 * kill -9s a member (the leader 70 % of the time) every ~4.5 s and restarts it 1.5 s later. Each client sends
 * its next request when the previous one is answered and moves to the next member after an error or a timeout,
 * as etcd's clients do with several endpoints. Reports successful ops/s, the seconds without any success and the
 * longest gap; records the history (invoke/ok/fail/info with times) and checks it: linearizable, and no
 * acknowledged write lost once every member is back.
 */
final class Availability {
  /** Request timeout (no answer for that long): short, so a client stuck on a dead member moves on. */
  static final long REQUEST_TIMEOUT_MS = 1000;
  static final int CONNECT_TIMEOUT_MS = 250;
  static final long RETRY_PAUSE_MS = 10;
  static final int KEYS = 10;
  static final double LEADER_BIAS = 0.7;
  static final long KILL_EVERY_MS = 4500;
  static final long KILL_JITTER_MS = 500;
  static final long RESTART_AFTER_MS = 1500;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Vert.x logs every connection a kill -9 resets at SEVERE: expected here, and noise in the run's output. */
  private static final java.util.logging.Logger CONNECTION_LOG =
      java.util.logging.Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");

  private final Vertx vertx;
  private final Cluster cluster;
  private final Duration window;
  private final int clients;
  private final long seed;
  private final Path historyFile;
  private final List<String> keys = new ArrayList<>();
  private final Queue<HistoryOp> history = new ConcurrentLinkedQueue<>();
  private final Queue<String[]> nemesisLog = new ConcurrentLinkedQueue<>();
  /** Per restart by the nemesis: seconds to the first served range, -1 when killed again before that. */
  private final Queue<Double> restartSeconds = new ConcurrentLinkedQueue<>();
  private final List<Thread> restartWatchers = new ArrayList<>();
  private final List<HttpJson> http = new ArrayList<>();
  private volatile boolean stopped;
  private CountDownLatch clientsDone;
  private int kills;
  private int leaderKills;

  Availability(Vertx vertx, Cluster cluster, Duration window, int clients, long seed, Path historyFile) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.window = window;
    this.clients = clients;
    this.seed = seed;
    this.historyFile = historyFile;
    String prefix = "bench/avail/" + Long.toHexString(System.nanoTime()) + "/k";
    for (int i = 0; i < KEYS; i++) {
      keys.add(prefix + i);
    }
  }

  Side run() throws BenchException {
    CONNECTION_LOG.setLevel(java.util.logging.Level.OFF);
    Side side = new Side();
    side.loadAvgStart = ProcStats.loadAverage();
    for (Server m : cluster.members) {
      http.add(new HttpJson(vertx, m.clientPort, clients, CONNECT_TIMEOUT_MS));
    }
    long t0;
    Map<String, String> finals;
    try {
      clientsDone = new CountDownLatch(clients);
      t0 = System.nanoTime();
      for (int i = 0; i < clients; i++) {
        Client c = new Client(i, new Random(seed * 31 + i));
        Context ctx = ((VertxInternal) vertx).createEventLoopContext();
        ctx.runOnContext(v -> next(c));
      }
      Thread nemesis = new Thread(() -> nemesis(t0), "nemesis");
      nemesis.setDaemon(true);
      nemesis.start();
      Server.sleepMillis(window.toMillis());
      stopped = true;
      awaitQuietly(clientsDone, REQUEST_TIMEOUT_MS * 5);
      joinQuietly(nemesis, RESTART_AFTER_MS + 15_000);
      for (Server m : cluster.members) {
        if (!m.isAlive()) {
          relaunch(m, "after the run");
        }
      }
      for (Server m : cluster.members) {
        m.awaitServing(Duration.ofSeconds(90), 100);
      }
      finals = finalReads();
      for (Thread t : restartWatchers) {
        joinQuietly(t, 35_000);
      }
    } finally {
      http.forEach(HttpJson::close);
    }
    side.loadAvgEnd = ProcStats.loadAverage();
    System.out.printf("   %s: window, restarts and final reads took %.1f s%n", cluster,
        (System.nanoTime() - t0) / 1e9);
    long windowNanos = window.toNanos();
    long[] successes = history.stream().filter(o -> o.ok() && o.client() >= 0)
        .mapToLong(o -> o.completeNanos() - t0).filter(t -> t >= 0 && t <= windowNanos).toArray();
    long checkStart = System.nanoTime();
    RegisterChecker.Verdict verdict = RegisterChecker.check(history);
    List<String> lost = RegisterChecker.lostWrites(history, finals);
    long checkMillis = (System.nanoTime() - checkStart) / 1_000_000;
    writeHistory(t0);

    side.value = Meter.round1(successes.length / (windowNanos / 1e9));
    side.opsPerSecond = side.value;
    side.ops = (long) successes.length;
    side.errors = 0L;
    side.seconds = Meter.round2(windowNanos / 1e9);
    Map<String, Object> x = side.extra;
    x.put("secondsWithoutSuccess", Gaps.secondsWithoutSuccess(successes, windowNanos));
    x.put("windowSeconds", window.toSeconds());
    x.put("longestGapSeconds", Meter.round2(Gaps.longestGapSeconds(successes, windowNanos)));
    x.put("kills", kills);
    x.put("leaderKills", leaderKills);
    List<Double> served = restartSeconds.stream().filter(v -> v >= 0).sorted().map(Meter::round2).toList();
    x.put("restartsServing", served.size());
    x.put("restartsKilledOrSilentFirst", restartSeconds.size() - served.size());
    if (!served.isEmpty()) {
      x.put("restartToServingMedianSeconds", served.get(served.size() / 2));
      x.put("restartToServingSeconds", served);
    }
    x.put("okOps", count(HistoryOp.Outcome.OK));
    x.put("failedOps", count(HistoryOp.Outcome.FAIL));
    x.put("unknownOps", count(HistoryOp.Outcome.INFO));
    x.put("acknowledgedWrites", history.stream().filter(o -> o.ok() && o.client() >= 0
        && o.kind() == HistoryOp.Kind.WRITE).count());
    x.put("linearizable", verdict.label());
    if (verdict.result() != RegisterChecker.Result.LINEARIZABLE) {
      x.put("checker", verdict.detail());
    }
    x.put("lostAcknowledgedWrites", lost.size());
    if (!lost.isEmpty()) {
      x.put("lostExamples", lost.subList(0, Math.min(5, lost.size())));
    }
    x.put("checkerMillis", checkMillis);
    x.put("history", historyFile.toString());
    x.put("clients", clients);
    x.put("keys", KEYS);
    x.put("requestTimeoutMs", REQUEST_TIMEOUT_MS);
    return side;
  }

  private long count(HistoryOp.Outcome outcome) {
    return history.stream().filter(o -> o.client() >= 0 && o.outcome() == outcome).count();
  }

  // ---- clients ----------------------------------------------------------------------------------------------

  private static final class Client {
    final int id;
    final Random random;
    int member;
    int seq;

    Client(int id, Random random) {
      this.id = id;
      this.random = random;
      this.member = id % Cluster.SIZE;
    }
  }

  private void next(Client c) {
    if (stopped) {
      clientsDone.countDown();
      return;
    }
    String key = keys.get(c.random.nextInt(keys.size()));
    int m = c.member;
    String via = cluster.members.get(m).name;
    long invoke = System.nanoTime();
    String k64 = b64(key);
    if (c.random.nextBoolean()) {
      String value = "c" + c.id + "-" + ++c.seq;
      Buffer body = Buffer.buffer("{\"key\":\"" + k64 + "\",\"value\":\"" + b64(value) + "\"}");
      http.get(m).post("/v3/kv/put", body, REQUEST_TIMEOUT_MS).onComplete(ar -> {
        HistoryOp.Outcome outcome = ar.succeeded() ? HistoryOp.Outcome.OK
            : neverSent(ar) ? HistoryOp.Outcome.FAIL : HistoryOp.Outcome.INFO;
        history.add(HistoryOp.write(c.id, key, value, invoke, System.nanoTime(), outcome, via));
        after(c, ar.succeeded());
      });
    } else {
      Buffer body = Buffer.buffer("{\"key\":\"" + k64 + "\"}");
      http.get(m).post("/v3/kv/range", body, REQUEST_TIMEOUT_MS).onComplete(ar -> {
        long done = System.nanoTime();
        boolean ok = ar.succeeded();
        String read = null;
        if (ok) {
          try {
            read = valueOf(ar.result());
          } catch (IOException | RuntimeException e) {
            ok = false;
          }
        }
        // a read without an answer changed nothing: FAIL whatever the reason
        history.add(HistoryOp.read(c.id, key, read, invoke, done, ok ? HistoryOp.Outcome.OK
            : HistoryOp.Outcome.FAIL, via));
        after(c, ok);
      });
    }
  }

  private void after(Client c, boolean ok) {
    if (ok) {
      next(c);
    } else {
      // the next member, after a short pause so that a refusing member is not hammered
      c.member = (c.member + 1) % Cluster.SIZE;
      vertx.setTimer(RETRY_PAUSE_MS, id -> next(c));
    }
  }

  /** Refused or timed-out connects never reached a server; anything else may have. */
  private static boolean neverSent(AsyncResult<?> ar) {
    return ar.cause() instanceof ConnectException;
  }

  /** The value of the range's only key, or null when the key is absent. */
  static String valueOf(Buffer rangeResponse) throws IOException {
    JsonNode kvs = JSON.readTree(rangeResponse.getBytes()).path("kvs");
    if (!kvs.isArray() || kvs.isEmpty()) {
      return null;
    }
    return new String(Base64.getDecoder().decode(kvs.get(0).path("value").asText()), StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  // ---- nemesis ----------------------------------------------------------------------------------------------

  private void nemesis(long t0) {
    Random random = new Random(seed);
    long end = t0 + window.toNanos();
    long nextKill = t0 + TimeUnit.MILLISECONDS.toNanos(jitteredInterval(random));
    while (!stopped) {
      long wait = nextKill - System.nanoTime();
      if (wait > 0) {
        Server.sleepMillis(TimeUnit.NANOSECONDS.toMillis(wait));
      }
      if (stopped || System.nanoTime() >= end) {
        return;
      }
      Optional<Server> leader = cluster.leaderNow(300);
      Server victim;
      boolean wantLeader = random.nextDouble() < LEADER_BIAS;
      List<Server> others = cluster.members.stream().filter(m -> leader.map(l -> l != m).orElse(true)).toList();
      victim = wantLeader && leader.isPresent() ? leader.get() : others.get(random.nextInt(others.size()));
      boolean isLeader = leader.isPresent() && victim == leader.get();
      victim.kill();
      kills++;
      if (isLeader) {
        leaderKills++;
      }
      log("kill", victim.name + (isLeader ? " (leader)" : leader.isPresent() ? "" : " (no leader found)"));
      Server.sleepMillis(RESTART_AFTER_MS);
      if (relaunch(victim, "")) {
        Thread watch = new Thread(() -> restartSeconds.add(victim.secondsToServing(Duration.ofSeconds(30))),
            "restart-watch");
        watch.setDaemon(true);
        watch.start();
        restartWatchers.add(watch);
      }
      nextKill += TimeUnit.MILLISECONDS.toNanos(jitteredInterval(random));
    }
  }

  private static long jitteredInterval(Random random) {
    return KILL_EVERY_MS - KILL_JITTER_MS + (long) (random.nextDouble() * 2 * KILL_JITTER_MS);
  }

  private boolean relaunch(Server m, String why) {
    try {
      m.relaunch(cluster.launcher);
      log("start", m.name + (why.isEmpty() ? "" : " " + why));
      return true;
    } catch (IOException e) {
      log("start-failed", m.name + ": " + e);
      return false;
    }
  }

  private void log(String f, String value) {
    nemesisLog.add(new String[] {Long.toString(System.nanoTime()), f, value});
  }

  // ---- after the run ----------------------------------------------------------------------------------------

  /** A linearizable read of every key once all members are back (retried over the members for up to 60 s). */
  private Map<String, String> finalReads() throws BenchException {
    Map<String, String> finals = new LinkedHashMap<>();
    for (String key : keys) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String last = "";
      boolean done = false;
      for (int attempt = 0; !done && System.nanoTime() < deadline; attempt++) {
        int m = attempt % Cluster.SIZE;
        long invoke = System.nanoTime();
        try {
          Buffer b = http.get(m).post("/v3/kv/range", Buffer.buffer("{\"key\":\"" + b64(key) + "\"}"), 5000)
              .await(10, TimeUnit.SECONDS);
          String value = valueOf(b);
          history.add(HistoryOp.read(-1, key, value, invoke, System.nanoTime(), HistoryOp.Outcome.OK,
              cluster.members.get(m).name));
          finals.put(key, value);
          done = true;
        } catch (Exception e) {
          last = String.valueOf(e);
          Server.sleepMillis(200);
        }
      }
      if (!done) {
        throw new BenchException(cluster + ": no final read of " + key + " within 60 s after the nemesis (" + last
            + ")");
      }
    }
    return finals;
  }

  /** The history as JSON lines, in time order (ms since the start): invoke/ok/fail/info and the nemesis. */
  private void writeHistory(long t0) {
    record Event(long nanos, ObjectNode json) {}
    List<Event> events = new ArrayList<>();
    for (HistoryOp op : history) {
      String f = op.kind() == HistoryOp.Kind.WRITE ? "write" : "read";
      ObjectNode call = JSON.createObjectNode().put("process", op.client()).put("type", "invoke").put("f", f)
          .put("key", op.key()).put("member", op.member());
      if (op.kind() == HistoryOp.Kind.WRITE) {
        call.put("value", op.value());
      }
      ObjectNode ret = JSON.createObjectNode().put("process", op.client())
          .put("type", op.outcome().name().toLowerCase(java.util.Locale.ROOT)).put("f", f).put("key", op.key())
          .put("value", op.value()).put("member", op.member());
      events.add(new Event(op.invokeNanos(), call));
      events.add(new Event(op.completeNanos(), ret));
    }
    for (String[] n : nemesisLog) {
      events.add(new Event(Long.parseLong(n[0]), JSON.createObjectNode().put("process", "nemesis")
          .put("type", "info").put("f", n[1]).put("value", n[2])));
    }
    events.sort(Comparator.comparingLong(Event::nanos));
    try {
      Files.createDirectories(historyFile.getParent());
      try (BufferedWriter w = Files.newBufferedWriter(historyFile, StandardCharsets.UTF_8)) {
        for (Event e : events) {
          ObjectNode line = JSON.createObjectNode().put("time_ms", Meter.round2((e.nanos() - t0) / 1e6));
          line.setAll(e.json());
          w.write(JSON.writeValueAsString(line));
          w.newLine();
        }
      }
    } catch (IOException e) {
      System.err.println("cannot write the history " + historyFile + ": " + e);
    }
  }

  private static void awaitQuietly(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinQuietly(Thread t, long millis) {
    try {
      t.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
