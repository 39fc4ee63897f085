package io.keyway.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One server's numbers for one workload (what becomes one half of a table row). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Side {
  /** The row's headline number in the row's unit (ops/s, events/s, MiB, seconds). */
  public Double value;
  /** Mean latency of the measured requests (closed-loop rows). */
  public Double avgMs;
  public Double p50Ms;
  public Double p99Ms;
  /** Server CPU (user + system, all members) per 1 000 operations. */
  public Double cpuSecPer1kOps;
  /** Largest resident set (sum over members) sampled every 200 ms while measuring. */
  public Double peakRssMib;
  public Long ops;
  /** Requests answered per second in the measured window (closed-loop rows; the headline of most of them). */
  public Double opsPerSecond;
  public Long errors;
  public List<String> errorSamples = new ArrayList<>();
  public Double loadAvgStart;
  public Double loadAvgEnd;
  public Double seconds;
  /** Why this side has no number (a crash, a refused start); the run fails when set. */
  public String failure;
  public Map<String, Object> extra = new LinkedHashMap<>();

  static Side failed(String why) {
    Side s = new Side();
    s.failure = why;
    return s;
  }

  boolean hasProblem() {
    return failure != null || (errors != null && errors > 0);
  }

  String problem() {
    if (failure != null) {
      return failure;
    }
    return errors + " errors, e.g. " + (errorSamples.isEmpty() ? "?" : errorSamples.get(0));
  }
}
