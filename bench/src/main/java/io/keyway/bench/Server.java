package io.keyway.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One member (etcd or Keyway) as an OS process on loopback, started with etcd's flags on a fresh data dir.
 * Both kinds get exactly the same flags; both fsync (etcd always does, Keyway has no switch to turn it off).
 */
final class Server implements AutoCloseable {
  private static final HttpClient PROBE = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(500)).build();
  private static final String PROBE_BODY = "{\"key\":\"YQ==\",\"serializable\":true}";

  final Kind kind;
  final String name;
  final int clientPort;
  final int peerPort;
  private final Path dataDir;
  private final Path logFile;
  private final List<String> flags = new ArrayList<>();
  private Process process;
  private long startedAtNanos;

  Server(Kind kind, String name, int clientPort, int peerPort, Path dataRoot, Path logDir) {
    this.kind = kind;
    this.name = name;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.dataDir = dataRoot.resolve(kind.label + "-" + name + "-" + clientPort);
    this.logFile = logDir.resolve(kind.label + "-" + name + "-" + clientPort + ".log");
  }

  String clientUrl() {
    return "http://127.0.0.1:" + clientPort;
  }

  String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /** Flags for a member of {@code initialCluster} ("a=http://..,b=http://.."). */
  Server configure(String initialCluster, String token) {
    flags.clear();
    flags.add("--name=" + name);
    flags.add("--data-dir=" + dataDir);
    flags.add("--listen-client-urls=" + clientUrl());
    flags.add("--advertise-client-urls=" + clientUrl());
    flags.add("--listen-peer-urls=" + peerUrl());
    flags.add("--initial-advertise-peer-urls=" + peerUrl());
    flags.add("--initial-cluster=" + initialCluster);
    flags.add("--initial-cluster-state=new");
    flags.add("--initial-cluster-token=" + token);
    return this;
  }

  /** One more flag after {@link #configure} (e.g. etcd's --enable-v2, which both kinds accept). */
  Server withFlag(String flag) {
    flags.add(flag);
    return this;
  }

  Server configureSingle() {
    return configure(name + "=" + peerUrl(), "bench-" + name + "-" + clientPort);
  }

  /** Starts the process on a fresh data dir and returns at once. */
  Server launch(List<String> launcher) throws IOException {
    deleteRecursively(dataDir);
    Files.createDirectories(dataDir.getParent());
    Files.createDirectories(logFile.getParent());
    return exec(launcher, "===== ", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
  }

  /** Runs launcher + flags with its output appended to the log, after a banner line naming the command. */
  private Server exec(List<String> launcher, String banner, OpenOption... logOpening) throws IOException {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.addAll(flags);
    Files.writeString(logFile, banner + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8, logOpening);
    startedAtNanos = System.nanoTime();
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    return this;
  }

  /** kill -9: no shutdown, no flush (the availability nemesis); the data dir stays for {@link #relaunch}. */
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts the member again on the data dir it left behind (same flags), and returns at once. */
  Server relaunch(List<String> launcher) throws IOException {
    return exec(launcher, "===== restart: ", StandardOpenOption.APPEND, StandardOpenOption.CREATE);
  }

  long startedAtNanos() {
    return startedAtNanos;
  }

  /**
   * Polls a serializable range every few milliseconds until it is answered with 200; returns the nanoTime of
   * that first answer. A serializable range is the first thing a client can be served once a member is up.
   */
  long awaitServing(Duration timeout, long pollMillis) throws BenchException {
    return awaitServing(process, timeout, pollMillis);
  }

  /**
   * Seconds from the latest (re)start to the first served range, or -1 when that process died (or was killed)
   * before serving or did not serve within {@code timeout}: how soon a restarted member is back (issue #14).
   */
  double secondsToServing(Duration timeout) {
    Process p = process;
    long start = startedAtNanos;
    try {
      return (awaitServing(p, timeout, 50) - start) / 1e9;
    } catch (BenchException e) {
      return -1;
    }
  }

  private long awaitServing(Process process, Duration timeout, long pollMillis) throws BenchException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(clientUrl() + "/v3/kv/range"))
        .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(PROBE_BODY)).build();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new BenchException(this + " exited with code " + process.exitValue() + " while starting; log "
            + logFile);
      }
      try {
        HttpResponse<String> r = PROBE.send(probe, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return System.nanoTime();
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted");
      }
      sleepMillis(pollMillis);
    }
    throw new BenchException(this + " did not serve a range within " + timeout + " (last: " + last + "); log "
        + logFile);
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  Path logFile() {
    return logFile;
  }

  /** Throws when the process died: a crash must fail the run. */
  void checkAlive() throws BenchException {
    if (process != null && !process.isAlive()) {
      throw new BenchException(this + " died (exit code " + process.exitValue() + "); log " + logFile);
    }
  }

  /** SIGTERM, then SIGKILL after 15 s; removes the data dir (the log stays). */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(15, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    deleteRecursively(dataDir);
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover scratch dir under /tmp is harmless
    }
  }

  static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return kind.label + " member " + name + " at " + clientUrl();
  }

  /** Which server: Debian's etcd or Keyway's jar. */
  enum Kind {
    ETCD("etcd"),
    KEYWAY("keyway");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }
}
