package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an offline command of the Keyway jar ({@code snapshot restore|status}) to completion. */
final class KeywayCommand {
  private KeywayCommand() {}

  static Etcdctl.Result run(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-jar", ItEnvironment.keywayJar().toString()));
    cmd.addAll(args);
    try {
      Path out = Files.createTempFile(ItEnvironment.logDir(), "keyway-cmd", ".out");
      Path err = Files.createTempFile(ItEnvironment.logDir(), "keyway-cmd", ".err");
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "keyway " + args + " did not finish");
      return new Etcdctl.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Etcdctl.Result run(String... args) {
    return run(List.of(args));
  }
}
