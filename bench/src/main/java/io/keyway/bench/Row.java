package io.keyway.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One workload measured on both servers, with the Keyway/etcd ratio and issue #9's target for it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Row {
  public String id;
  public String description;
  public String unit;
  public boolean higherIsBetter;
  public Side etcd;
  public Side keyway;
  /** keyway.value / etcd.value. */
  public Double ratio;
  public String target;
  public Boolean targetMet;

  public Row() {}

  Row(String id, String description, String unit, boolean higherIsBetter) {
    this.id = id;
    this.description = description;
    this.unit = unit;
    this.higherIsBetter = higherIsBetter;
  }

  Row with(Side etcdSide, Side keywaySide) {
    this.etcd = etcdSide;
    this.keyway = keywaySide;
    if (etcdSide.value != null && keywaySide.value != null && etcdSide.value > 0) {
      ratio = keywaySide.value / etcdSide.value;
    }
    return this;
  }

  /** Keyway/etcd must be at least {@code x}. */
  Row ratioAtLeast(double x) {
    target = "≥ " + fmt(x) + "×";
    targetMet = ratio == null || keyway.hasProblem() ? Boolean.FALSE : ratio >= x;
    return this;
  }

  /** Keyway/etcd must be at most {@code x}. */
  Row ratioAtMost(double x) {
    target = "≤ " + fmt(x) + "×";
    targetMet = ratio == null || keyway.hasProblem() ? Boolean.FALSE : ratio <= x;
    return this;
  }

  /** Keyway's own value must be at most {@code x} (in the row's unit). */
  Row keywayAtMost(double x) {
    target = "≤ " + fmt(x) + " " + unit;
    targetMet = keyway.value == null || keyway.hasProblem() ? Boolean.FALSE : keyway.value <= x;
    return this;
  }

  /** Keyway/etcd at least {@code x}, and Keyway's p99 latency no worse than etcd's. */
  Row ratioAtLeastWithP99(double x) {
    ratioAtLeast(x);
    target = target + ", p99 ≤ etcd's";
    if (Boolean.TRUE.equals(targetMet)) {
      targetMet = keyway.p99Ms != null && etcd.p99Ms != null && keyway.p99Ms <= etcd.p99Ms;
    }
    return this;
  }

  /**
   * Issue #14's availability target: at least etcd's successful ops/s, no more seconds without a success, a
   * linearizable history and no acknowledged write lost.
   */
  Row availabilityTarget() {
    target = "≥ 1× etcd's, no more seconds without success, linearizable, nothing lost";
    targetMet = ratio != null && !keyway.hasProblem() && ratio >= 1
        && number(keyway, "secondsWithoutSuccess") <= number(etcd, "secondsWithoutSuccess")
        && "yes".equals(keyway.extra.get("linearizable"))
        && number(keyway, "lostAcknowledgedWrites") == 0;
    return this;
  }

  private static double number(Side s, String extra) {
    return s.extra.get(extra) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  static String fmt(double x) {
    return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
  }
}
