package io.keyway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code etcdctl watch …} running in the background, its stdout read line by line as it prints, its stdin
 * open for {@code watch -i}. Killed (by its own PID) on close.
 */
final class EtcdctlWatch implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  private final OutputStream stdin;
  private final List<String> args;

  private EtcdctlWatch(String endpoint, List<String> args) {
    ItEnvironment.requireExecutable(ItEnvironment.ETCDCTL_BINARY, "etcd-client");
    this.args = args;
    List<String> cmd = new ArrayList<>(List.of(ItEnvironment.ETCDCTL_BINARY, "--endpoints=" + endpoint, "watch"));
    cmd.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.environment().put("ETCDCTL_API", "3");
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    }
    stdin = process.getOutputStream();
    pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), lines::add);
    pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
        line -> stderr.append(line).append('\n'));
  }

  /** Starts {@code etcdctl --endpoints=<endpoint> watch <args>}. */
  static EtcdctlWatch start(String endpoint, String... args) {
    return new EtcdctlWatch(endpoint, List.of(args));
  }

  private static void pump(BufferedReader reader, Consumer<String> sink) {
    Thread thread = new Thread(() -> {
      try (reader) {
        String line;
        while ((line = reader.readLine()) != null) {
          sink.accept(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "etcdctl-watch-output");
    thread.setDaemon(true);
    thread.start();
  }

  /** A line for {@code watch -i} (e.g. {@code watch --prefix foo}). */
  void typeLine(String line) {
    try {
      stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("etcdctl stopped reading its input; stderr: " + stderr, e);
    }
  }

  /** The next output line; null when none came within the timeout. */
  String nextLine(long timeoutMillis) {
    try {
      return lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Exactly the next {@code count} output lines, each within 10 s. */
  List<String> nextLines(int count) {
    List<String> got = new ArrayList<>();
    while (got.size() < count) {
      String line = nextLine(10_000);
      if (line == null) {
        fail("etcdctl watch " + args + " printed " + got + " and then nothing within 10 s (wanted " + count
            + " lines); alive=" + process.isAlive() + ", stderr: " + stderr);
      }
      got.add(line);
    }
    return got;
  }

  /** Skips output until a line equal to {@code line} was printed (within 10 s). */
  void skipThrough(String line) {
    while (true) {
      String next = nextLine(10_000);
      if (next == null) {
        fail("etcdctl watch " + args + " never printed " + line + "; stderr: " + stderr);
      }
      if (next.equals(line)) {
        return;
      }
    }
  }

  /**
   * Waits until the watch is established: puts {@code marker-N} values to {@code key} (which the watch must
   * cover) until one is printed, then a last {@code marker-end} and skips through it, so the next line printed
   * belongs to whatever the test does next.
   */
  void sync(Etcdctl etcdctl, String key) {
    for (int i = 1; ; i++) {
      if (i > 30) {
        fail("etcdctl watch " + args + " printed no event for 30 puts of " + key + "; stderr: " + stderr);
      }
      etcdctl.run("put", key, "marker-" + i);
      String line;
      boolean seen = false;
      while ((line = nextLine(i == 1 ? 1000 : 500)) != null) {
        if (line.startsWith("marker-")) {
          seen = true;
          break;
        }
      }
      if (seen) {
        break;
      }
    }
    etcdctl.run("put", key, "marker-end");
    skipThrough("marker-end");
  }

  String stderr() {
    return stderr.toString();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
