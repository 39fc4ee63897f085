package io.keyway.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Durations and sizes of a run: the full run (~20–25 min on 2 cores) or --quick (CI guard, ~3 min). */
record Settings(
    boolean quick,
    Duration jitWarmup,
    Duration warmup,
    Duration measure,
    int httpConnections,
    int grpcConnections,
    int grpcClients,
    int leaseStreams,
    int[] watchers,
    double[] watchPutsPerSecond,
    int watchWindow,
    Duration watchDuration,
    Duration watchDrain,
    int coldStartRepeats,
    long bulkKeys,
    Duration clusterJitWarmup,
    Duration clusterWarmup,
    Duration clusterMeasure,
    Duration availabilityWindow) {

  static Settings fullRun() {
    return new Settings(false, Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofSeconds(12), 64, 4, 64, 64,
        new int[] {1000, 10_000}, new double[] {4, 0.5}, 4, Duration.ofSeconds(10), Duration.ofSeconds(60), 3,
        1_000_000, Duration.ofSeconds(90), Duration.ofSeconds(2), Duration.ofSeconds(7), Duration.ofSeconds(60));
  }

  static Settings quickRun() {
    return new Settings(true, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(2), 64, 4, 64, 16,
        new int[] {100, 200}, new double[] {20, 10}, 4, Duration.ofSeconds(2), Duration.ofSeconds(20), 1, 20_000,
        Duration.ZERO, Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofSeconds(10));
  }

  /** Replaces the watch fan-outs with "watchers:putsPerSecond,..." (e.g. "1000:100,10000:10"). */
  Settings withWatch(String spec) {
    String[] parts = spec.split(",");
    int[] n = new int[parts.length];
    double[] rate = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String[] nr = parts[i].split(":");
      n[i] = Integer.parseInt(nr[0].trim());
      rate[i] = Double.parseDouble(nr[1].trim());
    }
    return new Settings(quick, jitWarmup, warmup, measure, httpConnections, grpcConnections, grpcClients, leaseStreams, n,
        rate, watchWindow, watchDuration, watchDrain, coldStartRepeats, bulkKeys, clusterJitWarmup, clusterWarmup,
        clusterMeasure, availabilityWindow);
  }

  /** Replaces the closed-loop warm-up and measured windows with "warmup:measure" seconds. */
  Settings withWindows(String spec) {
    String[] wm = spec.split(":");
    return new Settings(quick, jitWarmup, Duration.ofSeconds(Long.parseLong(wm[0].trim())),
        Duration.ofSeconds(Long.parseLong(wm[1].trim())), httpConnections, grpcConnections, grpcClients,
        leaseStreams, watchers, watchPutsPerSecond, watchWindow, watchDuration, watchDrain, coldStartRepeats,
        bulkKeys, clusterJitWarmup, clusterWarmup, clusterMeasure, availabilityWindow);
  }

  /**
   * Replaces the 3-member windows with "warmup:measure[:availability]" seconds (fractions allowed), e.g. "1:5:30".
   */
  Settings withClusterWindows(String spec) {
    String[] w = spec.split(":");
    Duration avail = w.length > 2 ? seconds(w[2]) : availabilityWindow;
    return new Settings(quick, jitWarmup, warmup, measure, httpConnections, grpcConnections, grpcClients,
        leaseStreams, watchers, watchPutsPerSecond, watchWindow, watchDuration, watchDrain, coldStartRepeats,
        bulkKeys, clusterJitWarmup, seconds(w[0]), seconds(w[1]), avail);
  }

  private static Duration seconds(String s) {
    return Duration.ofMillis(Math.round(Double.parseDouble(s.trim()) * 1000));
  }

  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loadModel", "closed loop, fixed concurrency; watch: open-loop fixed put rate, then at most"
        + " watchSaturationWindowPuts puts undelivered");
    m.put("globalWarmupSecondsPerServer", jitWarmup.toSeconds());
    m.put("warmupSeconds", warmup.toSeconds());
    m.put("measureSeconds", measure.toSeconds());
    m.put("httpConnections", httpConnections);
    m.put("grpcConnections", grpcConnections);
    m.put("grpcClients", grpcClients);
    m.put("leaseKeepAliveStreams", leaseStreams);
    m.put("valueBytes", Workloads.VALUE_SIZE);
    m.put("watchers", java.util.Arrays.toString(watchers));
    m.put("watchPutsPerSecond", java.util.Arrays.toString(watchPutsPerSecond));
    m.put("watchSaturationWindowPuts", watchWindow);
    m.put("watchSeconds", watchDuration.toSeconds());
    m.put("coldStartRepeats", coldStartRepeats);
    m.put("bulkKeys", bulkKeys);
    m.put("bulkValueBytes", BulkLoad.VALUE_SIZE);
    m.put("clusterWarmupSecondsPerCluster", clusterJitWarmup.toSeconds());
    m.put("clusterRowWarmupSeconds", clusterWarmup.toMillis() / 1000.0);
    m.put("clusterRowMeasureSeconds", clusterMeasure.toMillis() / 1000.0);
    m.put("availabilitySeconds", availabilityWindow.toSeconds());
    return m;
  }
}
