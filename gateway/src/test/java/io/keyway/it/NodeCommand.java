package io.keyway.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node or npm command run to completion (the JavaScript clients' checks): output captured, and each line
 * handed to a listener while it runs, so a script can ask the test for a fault by printing a line.
 */
final class NodeCommand {
  private NodeCommand() {}

  record Result(int exitCode, String output) {}

  static Result run(Path dir, long timeoutSeconds, String... command) {
    return run(dir, timeoutSeconds, Map.of(), line -> { }, command);
  }

  static Result run(Path dir, long timeoutSeconds, Map<String, String> env, Consumer<String> onLine,
      String... command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    StringBuffer output = new StringBuffer();
    Process p;
    try {
      p = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command) + " (is node installed?)", e);
    }
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          output.append(line).append('\n');
          onLine.accept(line);
        }
      } catch (IOException e) {
        output.append("(output cut: ").append(e).append(")\n");
      } catch (RuntimeException | Error e) {
        output.append("(line handler failed: ").append(e).append(")\n");
        p.destroyForcibly();
      }
    }, "node-output");
    reader.start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        reader.join(5000);
        return new Result(-1, "timed out after " + timeoutSeconds + " s:\n" + output);
      }
      reader.join(5000);
      return new Result(p.exitValue(), output.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
