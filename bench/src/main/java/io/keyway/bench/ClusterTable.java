package io.keyway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The 3-member rows as their own tables (they carry mean latency, p99 and ops/s side by side, and the
 * availability row carries gaps and a verdict), for the terminal and for docs/benchmarks.md.
 */
final class ClusterTable {
  static final List<String> HEADER = List.of("3-member cluster", "etcd avg/p99 ms", "etcd ops/s",
      "Keyway avg/p99 ms", "Keyway ops/s", "Keyway/etcd", "target", "met");
  static final List<String> AVAILABILITY_HEADER = List.of("under kill -9 (" + ClusterBench.AVAILABILITY + ")",
      "etcd", "Keyway", "Keyway/etcd", "target", "met");

  private ClusterTable() {}

  /**
   * The rows of {@link ClusterBench}. (The single row of earlier runs, {@code cluster3-http-put}, stays in the
   * main table, so that re-rendering an old results file gives the document it gave then.)
   */
  static boolean isCluster(Row row) {
    return row.id != null && row.id.startsWith(ClusterBench.PREFIX) && !row.id.equals("cluster3-http-put");
  }

  static boolean any(Results r) {
    return r.rows.stream().anyMatch(ClusterTable::isCluster);
  }

  /** The closed-loop rows: the ratio is of the row's headline (mean latency at 1 connection, ops/s at 64). */
  static List<List<String>> cells(Results r) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Row row : r.rows) {
      if (!isCluster(row) || row.id.equals(ClusterBench.AVAILABILITY)) {
        continue;
      }
      String ratio = row.ratio == null ? "-" : String.format(Locale.ROOT, "%.2f×", row.ratio)
          + (row.higherIsBetter ? " ops/s" : " latency");
      rows.add(List.of(row.id, avgP99(row.etcd), ops(row.etcd), avgP99(row.keyway), ops(row.keyway), ratio,
          row.target == null ? "" : row.target + (row.higherIsBetter ? " ops/s" : " latency"), met(row)));
    }
    return rows;
  }

  static List<List<String>> availabilityCells(Row row) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(AVAILABILITY_HEADER);
    Map<String, Object> e = row.etcd == null ? Map.of() : row.etcd.extra;
    Map<String, Object> k = row.keyway == null ? Map.of() : row.keyway.extra;
    rows.add(List.of("successful ops/s", TextTable.value(row.etcd), TextTable.value(row.keyway),
        row.ratio == null ? "-" : String.format(Locale.ROOT, "%.2f×", row.ratio), "≥ 1×",
        row.ratio == null ? "NO" : row.ratio >= 1 ? "yes" : "NO"));
    rows.add(List.of("seconds without any success", seconds(e), seconds(k), "", "≤ etcd's",
        yes(number(k, "secondsWithoutSuccess") <= number(e, "secondsWithoutSuccess"))));
    rows.add(List.of("longest gap", gap(e), gap(k), "", "", ""));
    rows.add(List.of("linearizable", str(e, "linearizable"), str(k, "linearizable"), "", "yes",
        yes("yes".equals(k.get("linearizable")))));
    rows.add(List.of("acknowledged writes lost", lost(e), lost(k), "", "0",
        yes(number(k, "lostAcknowledgedWrites") == 0)));
    rows.add(List.of("kills (of the leader)", kills(e), kills(k), "", "", ""));
    rows.add(List.of("restart to serving: median (served / killed first)", restarts(e), restarts(k), "", "", ""));
    rows.add(List.of("ops ok / failed / unknown", outcomes(e), outcomes(k), "", "", ""));
    return rows;
  }

  static String render(Results r) {
    if (!any(r)) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\n");
    List<List<String>> rows = cells(r);
    if (rows.size() > 1) {
      sb.append(TextTable.align(rows, i -> i == 0 || i >= 6));
    }
    availability(r).ifPresent(row -> sb.append('\n').append(TextTable.align(availabilityCells(row),
        i -> i == 0 || i >= 4)));
    return sb.toString();
  }

  static String markdown(Results r) {
    StringBuilder sb = new StringBuilder();
    List<List<String>> rows = cells(r);
    if (rows.size() > 1) {
      sb.append(TextTable.markdownTable(rows));
    }
    availability(r).ifPresent(row -> sb.append('\n').append(TextTable.markdownTable(availabilityCells(row))));
    return sb.toString();
  }

  static java.util.Optional<Row> availability(Results r) {
    return r.rows.stream().filter(row -> ClusterBench.AVAILABILITY.equals(row.id)).findFirst();
  }

  private static String avgP99(Side s) {
    if (s == null || s.failure != null || s.avgMs == null || s.p99Ms == null) {
      return s != null && s.failure != null ? "failed" : "-";
    }
    return String.format(Locale.ROOT, "%.2f/%.2f", s.avgMs, s.p99Ms);
  }

  private static String ops(Side s) {
    if (s == null || s.failure != null || s.opsPerSecond == null) {
      return "-";
    }
    return TextTable.number(s.opsPerSecond);
  }

  private static String met(Row row) {
    return row.targetMet == null ? "" : row.targetMet ? "yes" : "NO";
  }

  private static String yes(boolean b) {
    return b ? "yes" : "NO";
  }

  private static double number(Map<String, Object> m, String key) {
    return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String str(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v == null ? "-" : v.toString();
  }

  private static String seconds(Map<String, Object> m) {
    return m.containsKey("secondsWithoutSuccess")
        ? m.get("secondsWithoutSuccess") + " of " + m.get("windowSeconds") : "-";
  }

  private static String gap(Map<String, Object> m) {
    return m.containsKey("longestGapSeconds") ? m.get("longestGapSeconds") + " s" : "-";
  }

  private static String lost(Map<String, Object> m) {
    return m.containsKey("lostAcknowledgedWrites")
        ? m.get("lostAcknowledgedWrites") + " of " + m.get("acknowledgedWrites") : "-";
  }

  private static String kills(Map<String, Object> m) {
    return m.containsKey("kills") ? m.get("kills") + " (" + m.get("leaderKills") + ")" : "-";
  }

  private static String restarts(Map<String, Object> m) {
    if (!m.containsKey("restartsServing")) {
      return "-";
    }
    Object median = m.get("restartToServingMedianSeconds");
    return (median == null ? "-" : median + " s") + " (" + m.get("restartsServing") + " / "
        + m.get("restartsKilledOrSilentFirst") + ")";
  }

  private static String outcomes(Map<String, Object> m) {
    return m.containsKey("okOps") ? m.get("okOps") + " / " + m.get("failedOps") + " / " + m.get("unknownOps") : "-";
  }
}
