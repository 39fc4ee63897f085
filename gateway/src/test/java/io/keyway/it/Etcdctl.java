package io.keyway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs the real /usr/bin/etcdctl (API v3, or v2 via {@link #v2}) against one endpoint, with a hard timeout. */
final class Etcdctl {

  private static final long TIMEOUT_SECONDS = 30;

  private static final ExecutorService DRAINERS = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "etcdctl-output");
    thread.setDaemon(true);
    return thread;
  });

  private final String endpoint;
  private final List<String> globalFlags;
  private final String api;

  Etcdctl(String endpoint) {
    this(endpoint, List.of());
  }

  /**
   * etcdctl speaking the v2 API ({@code ETCDCTL_API=2}), whose timeout flag is another one; {@code --no-sync}
   * keeps it on this endpoint (it would otherwise pick any member from /v2/members).
   */
  static Etcdctl v2(String endpoint) {
    return new Etcdctl(endpoint, List.of("--no-sync"), "2");
  }

  /** @param globalFlags given to every command, e.g. the TLS flags {@code --cacert}, {@code --cert}, {@code --key} */
  Etcdctl(String endpoint, List<String> globalFlags) {
    this(endpoint, globalFlags, "3");
  }

  private Etcdctl(String endpoint, List<String> globalFlags, String api) {
    ItEnvironment.requireExecutable(ItEnvironment.ETCDCTL_BINARY, "etcd-client");
    this.endpoint = endpoint;
    this.globalFlags = List.copyOf(globalFlags);
    this.api = api;
  }

  Result run(String... args) {
    return runWithStdin(null, args);
  }

  /** Runs each command in turn (a test's setup, e.g. users, roles and {@code auth enable}); each must succeed. */
  void runAll(String[][] commands) {
    for (String[] cmd : commands) {
      Result r = run(cmd);
      if (r.exitCode() != 0) {
        fail(String.join(" ", cmd) + " -> " + r);
      }
    }
  }

  Result runWithStdin(String stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ItEnvironment.ETCDCTL_BINARY);
    cmd.add("--endpoints=" + endpoint);
    cmd.add(api.equals("2") ? "--total-timeout=15s" : "--command-timeout=15s");
    cmd.addAll(globalFlags);
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.environment().put("ETCDCTL_API", api);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // etcdctl may exit before reading stdin; its exit code and stderr tell the story
    }
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("etcdctl " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    // own threads: the common pool has one worker on 2 cores, and stdout/stderr must drain concurrently
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        stream.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, DRAINERS);
  }

  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout:\n" + stdout + "--- stderr:\n" + stderr;
    }
  }
}
