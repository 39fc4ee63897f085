package io.keyway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The machine a run was measured on, as docs/benchmarks.md describes it. */
final class Machine {
  private Machine() {}

  static Map<String, String> describe(String etcdBinary, String java) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cpus", run(List.of("nproc")));
    String lscpu = run(List.of("lscpu"));
    m.put("cpuModel", lscpu.lines().filter(l -> l.startsWith("Model name:"))
        .map(l -> l.substring(11).trim()).findFirst().orElse("?"));
    m.put("memory", memTotal());
    m.put("kernel", run(List.of("uname", "-r")));
    m.put("java", run(List.of(java, "-version")).lines().findFirst().orElse("?")
        + " / " + run(List.of(java, "-version")).lines().skip(2).findFirst().orElse(""));
    m.put("etcd", run(List.of(etcdBinary, "--version")).lines().findFirst().orElse("?"));
    m.put("loadAverageAtStart", run(List.of("cat", "/proc/loadavg")));
    return m;
  }

  private static String memTotal() {
    try {
      String line = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
      long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
      return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
