package io.keyway.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A helper server the tests start (nginx; Keyway itself runs through the gateway's KeywayProcess) with its output
 * in a log file, stopped with SIGTERM.
 */
final class ChildProcess implements AutoCloseable {
  private final String what;
  private final Process process;
  private final Path log;

  private ChildProcess(String what, Process process, Path log) {
    this.what = what;
    this.process = process;
    this.log = log;
  }

  static ChildProcess start(String what, List<String> command, Path workDir) {
    try {
      Path log = Files.createTempFile("keyway-web-" + what, ".log");
      Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      return new ChildProcess(what, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + what + " " + command, e);
    }
  }

  /** Waits until the port accepts connections; fails with the process' log if it dies or never listens. */
  ChildProcess awaitListening(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(what + " exited with " + process.exitValue() + ":\n" + output());
      }
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return this;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IllegalStateException(what + " did not listen on " + port + " within " + timeout + ":\n" + output());
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // a leftover temp log is harmless
    }
  }
}
