package io.keyway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One single-member server (Keyway or etcd) started as a real OS process with etcd's flags on loopback ports.
 * The data dir and ports survive {@link #kill()} so the same member can be restarted on its own state.
 *
 * <p>Shared with the other modules' integration tests (openapi, web-tests) through the gateway's test-jar: the
 * public methods are the ones they use.
 */
public abstract class ServerProcess implements AutoCloseable {

  /** {@code -Dkeyway.it.ready.seconds=300} for long runs on a crowded machine. */
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(Long.getLong("keyway.it.ready.seconds", 90));
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);
  /** Time for a JVM to print its thread dump after SIGQUIT, before the clean-up kills it. */
  private static final long DUMP_WAIT_MS = 1500;
  /** Server processes of this JVM not closed yet, for {@link #dumpThreadsOfRunning}. */
  private static final Set<ServerProcess> OPEN = ConcurrentHashMap.newKeySet();

  private final String memberName;
  private final int clientPort = FreePorts.next();
  private final int peerPort = FreePorts.next();
  private final Path dataDir;
  private final Path logFile;
  private final List<String> extraFlags;
  /** Whether the client URL is {@code https://}; the readiness probe then uses a second, plain listener. */
  private final boolean tls;
  private final int probePort;
  private final HttpClient probe =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
  private volatile Process process;
  private Thread killOnJvmExit;
  /** Whether the peer URLs are {@code https://} (the peer TLS flags are then in the extra flags). */
  private volatile boolean peerTls;
  /** Flags replacing some of the extra ones on the next starts (e.g. another peer certificate). */
  private volatile List<String> overrideFlags = List.of();
  /** The address this member listens on (its own in a network namespace, see {@link NetnsNetwork}). */
  private volatile String host = "127.0.0.1";
  /** Runs the launcher elsewhere, e.g. {@code ip netns exec <ns>}; empty by default. */
  private volatile List<String> launchPrefix = List.of();
  /** Set by {@link #joinCluster}: the member then starts as part of a multi-member cluster. */
  private volatile ClusterFlags cluster;

  /** etcd's bootstrap flags of a member of a multi-member cluster. */
  record ClusterFlags(String initialCluster, String state, String token) {}

  protected ServerProcess(String memberName, List<String> extraFlags) {
    this(memberName, false, extraFlags);
  }

  /** @param tls serve clients on {@code https://} (the TLS flags are in {@code extraFlags}) */
  protected ServerProcess(String memberName, boolean tls, List<String> extraFlags) {
    this.memberName = memberName;
    this.tls = tls;
    this.probePort = tls ? FreePorts.next() : clientPort;
    this.extraFlags = List.copyOf(extraFlags);
    this.dataDir = ItEnvironment.newDataDir(kind() + "-" + memberName);
    this.logFile = ItEnvironment.logDir().resolve(kind() + "-" + memberName + "-" + clientPort + ".log");
  }

  /** Short name used in file names and messages ("keyway", "etcd"). */
  abstract String kind();

  /** The program and its JVM/runtime options, before etcd's flags. */
  protected abstract List<String> launcher();

  public final String clientUrl() {
    return (tls ? "https" : "http") + "://" + host + ":" + clientPort;
  }

  /** A plain listener of the same member: {@link #clientUrl()} itself unless that is TLS. */
  final String plainUrl() {
    return "http://" + host + ":" + probePort;
  }

  final String peerUrl() {
    return (peerTls ? "https" : "http") + "://" + host + ":" + peerPort;
  }

  /** Makes the peer URLs https (before the first start). */
  final void usePeerTls() {
    this.peerTls = true;
  }

  /** Flags added after the extra ones on the next starts; a later flag of the same name wins. */
  final void overrideFlags(String... flags) {
    this.overrideFlags = List.of(flags);
  }

  final Path dataDir() {
    return dataDir;
  }

  public final Path logFile() {
    return logFile;
  }

  final HttpJson http() {
    return new HttpJson(clientUrl());
  }

  final Etcdctl etcdctl() {
    return new Etcdctl(clientUrl());
  }

  public final synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Before the first start: listen on {@code address} and start through {@code prefix} (a network namespace). */
  final void placeIn(String address, List<String> prefix) {
    this.host = address;
    this.launchPrefix = List.copyOf(prefix);
  }

  final List<String> commandLine() {
    List<String> cmd = new ArrayList<>(launchPrefix);
    cmd.addAll(launcher());
    cmd.add("--name=" + memberName);
    cmd.add("--data-dir=" + dataDir);
    cmd.add("--listen-client-urls=" + clientUrl() + (tls ? "," + plainUrl() : ""));
    cmd.add("--advertise-client-urls=" + clientUrl());
    cmd.add("--listen-peer-urls=" + peerUrl());
    cmd.add("--initial-advertise-peer-urls=" + peerUrl());
    ClusterFlags c = cluster;
    cmd.add("--initial-cluster=" + (c == null ? memberName + "=" + peerUrl() : c.initialCluster()));
    cmd.add("--initial-cluster-state=" + (c == null ? "new" : c.state()));
    cmd.add("--initial-cluster-token=" + (c == null ? "keyway-it-" + memberName : c.token()));
    cmd.addAll(extraFlags);
    cmd.addAll(overrideFlags);
    return cmd;
  }

  /** Makes the next starts use these bootstrap flags instead of a single-member cluster. */
  final void joinCluster(ClusterFlags flags) {
    this.cluster = flags;
  }

  public final String memberName() {
    return memberName;
  }

  /** Starts the process (again, on the same data dir and ports) and waits until it serves {@code /health}. */
  public final synchronized ServerProcess start() {
    launch();
    awaitReady();
    return this;
  }

  /**
   * Starts the process without waiting for it to become healthy: a member of a multi-member cluster has no
   * leader (and so no health) until enough of its peers run.
   */
  final synchronized void launch() {
    if (isAlive()) {
      throw new IllegalStateException(this + " is already running");
    }
    try {
      Files.writeString(logFile, "\n===== starting: " + String.join(" ", commandLine()) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      process = new ProcessBuilder(commandLine())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      fail("cannot start " + this + ": " + e);
    }
    OPEN.add(this);
    if (killOnJvmExit == null) {
      killOnJvmExit = new Thread(this::destroyQuietly, "kill-" + kind() + "-" + memberName);
      Runtime.getRuntime().addShutdownHook(killOnJvmExit);
    }
  }

  /** Waits until the process answers {@code /health} with true. */
  final void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest health = HttpRequest.newBuilder(URI.create(plainUrl() + "/health"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    String lastAnswer = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail(this + " exited with code " + process.exitValue() + " before it became ready; log tail:\n" + logTail(60));
      }
      try {
        HttpResponse<String> answer = probe.send(health, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200 && answer.body().contains("\"health\":\"true\"")) {
          return;
        }
        lastAnswer = answer.statusCode() + " " + answer.body();
      } catch (IOException e) {
        lastAnswer = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + this, e);
      }
      sleep(100);
    }
    dumpThreads("did not become healthy within " + READY_TIMEOUT);
    sleep(DUMP_WAIT_MS);
    destroyQuietly();
    fail(this + " did not become healthy within " + READY_TIMEOUT + " (last /health: " + lastAnswer
        + "); log tail:\n" + logTail(60));
  }

  /** kill -9: no shutdown hooks, no flush; what the server acknowledged must already be durable. */
  final synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    waitForExit(Duration.ofSeconds(30));
  }

  /** SIGTERM first, SIGKILL if it does not exit within the grace period. */
  public final synchronized void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!waitForExit(STOP_GRACE)) {
      kill();
    }
  }

  private boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGSTOP: the process stays alive but stops answering, like a partitioned or frozen member. */
  final void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  final void thaw() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        fail("kill -" + name + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  final long pid() {
    return process.pid();
  }

  /**
   * Asks every running server process of this JVM that survives it for a thread dump into its log (SIGQUIT: a JVM
   * prints its threads and goes on), then waits a moment for them to be written. etcd exits on SIGQUIT, and a
   * differential test's later cases need their oracle, so etcd members are left alone.
   */
  static void dumpThreadsOfRunning(String why) {
    boolean any = false;
    for (ServerProcess p : OPEN) {
      any |= p.dumpThreads(why);
    }
    if (any) {
      sleep(DUMP_WAIT_MS);
    }
  }

  private boolean dumpThreads(String why) {
    Process p = process;
    if (p == null || !p.isAlive() || !survivesThreadDump()) {
      return false;
    }
    try {
      Files.writeString(logFile, "\n===== thread dump requested by the test: " + why + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).inheritIO().start();
      boolean sent = kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
      // a frozen (SIGSTOP) member handles the SIGQUIT only once continued
      new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
      return sent;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the process prints its threads on SIGQUIT and goes on (a JVM does; etcd exits). */
  protected boolean survivesThreadDump() {
    return true;
  }

  /** Kills the process (SIGKILL) and removes its data dir; the log file stays for debugging. */
  @Override
  public final synchronized void close() {
    OPEN.remove(this);
    destroyQuietly();
    if (killOnJvmExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(killOnJvmExit);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook is running or about to run; it kills the same process
      }
      killOnJvmExit = null;
    }
    deleteRecursively(dataDir);
  }

  private void destroyQuietly() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public final String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // leftovers under the build dir are harmless; `mvn clean` removes them
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return kind() + " member " + memberName + " at " + clientUrl() + " (log " + logFile + ")";
  }
}
