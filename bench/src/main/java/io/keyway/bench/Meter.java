package io.keyway.bench;

import java.util.List;

/**
 * Measures the servers while a workload runs: CPU seconds (utime + stime deltas summed over members), the
 * largest summed VmRSS seen by a 200 ms sampler, and the load average at both ends.
 */
final class Meter {
  private final List<Server> servers;
  private double cpuStart;
  private volatile double peakRss;
  private volatile boolean sampling;
  private Thread sampler;
  private double loadStart;
  private long startNanos;
  private double cpuSeconds;
  private double seconds;
  private double loadEnd;

  Meter(List<Server> servers) {
    this.servers = servers;
  }

  void begin() {
    loadStart = ProcStats.loadAverage();
    cpuStart = cpu();
    peakRss = rss();
    sampling = true;
    sampler = new Thread(() -> {
      while (sampling) {
        peakRss = Math.max(peakRss, rss());
        Server.sleepMillis(200);
      }
    }, "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
    startNanos = System.nanoTime();
  }

  void end() {
    seconds = (System.nanoTime() - startNanos) / 1e9;
    cpuSeconds = cpu() - cpuStart;
    sampling = false;
    try {
      sampler.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    peakRss = Math.max(peakRss, rss());
    loadEnd = ProcStats.loadAverage();
  }

  /** Copies the measurements into {@code side}; CPU per 1 000 ops when {@code ops} is positive. */
  void fill(Side side, long ops) {
    side.loadAvgStart = loadStart;
    side.loadAvgEnd = loadEnd;
    side.peakRssMib = round1(peakRss);
    side.seconds = round2(seconds);
    if (ops > 0) {
      side.cpuSecPer1kOps = round4(cpuSeconds * 1000.0 / ops);
    }
    side.extra.put("serverCpuSeconds", round2(cpuSeconds));
  }

  private double cpu() {
    return cpuSeconds(servers);
  }

  /** CPU-seconds the servers' processes have used so far, together. */
  static double cpuSeconds(List<Server> servers) {
    double sum = 0;
    for (Server s : servers) {
      sum += Math.max(0, ProcStats.cpuSeconds(s.pid()));
    }
    return sum;
  }

  double rss() {
    double sum = 0;
    for (Server s : servers) {
      sum += Math.max(0, ProcStats.rssMib(s.pid()));
    }
    return sum;
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static double round4(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
