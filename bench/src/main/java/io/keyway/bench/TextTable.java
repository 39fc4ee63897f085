package io.keyway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The run's one table, as aligned text for the terminal and as markdown for docs/benchmarks.md. */
final class TextTable {
  static final List<String> HEADER = List.of("workload", "unit", "etcd", "Keyway", "Keyway/etcd",
      "etcd p50/p99 ms", "Keyway p50/p99 ms", "etcd CPU-s/1k ops", "Keyway CPU-s/1k ops", "etcd peak RSS MiB",
      "Keyway peak RSS MiB", "target", "met");

  private TextTable() {}

  static List<List<String>> cells(Results r) {
    List<List<String>> rows = new ArrayList<>();
    for (Row row : r.rows) {
      if (ClusterTable.isCluster(row)) {
        continue;
      }
      rows.add(List.of(row.id, row.unit, value(row.etcd), value(row.keyway),
          row.ratio == null ? "-" : String.format(Locale.ROOT, "%.2f×", row.ratio),
          latency(row.etcd), latency(row.keyway), cpu(row.etcd), cpu(row.keyway), rss(row.etcd), rss(row.keyway),
          row.target == null ? "" : row.target,
          row.targetMet == null ? "" : row.targetMet ? "yes" : "NO"));
    }
    return rows;
  }

  static String render(Results r) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    rows.addAll(cells(r));
    StringBuilder sb = new StringBuilder();
    if (rows.size() > 1) {
      sb.append(align(rows, i -> i <= 1 || i >= 11));
    }
    sb.append(ClusterTable.render(r));
    for (Row row : r.rows) {
      if (row.etcd != null && row.etcd.failure != null) {
        sb.append(row.id).append(" on etcd FAILED: ").append(row.etcd.failure).append('\n');
      }
      if (row.keyway != null && row.keyway.failure != null) {
        sb.append(row.id).append(" on Keyway FAILED: ").append(row.keyway.failure).append('\n');
      }
    }
    return sb.toString();
  }

  static String markdown(Results r) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    rows.addAll(cells(r));
    return markdownTable(rows);
  }

  /** Rows of cells as aligned columns, the first row as the header; {@code left}: which columns align left. */
  static String align(List<List<String>> rows, java.util.function.IntPredicate left) {
    int[] width = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int n = 0; n < rows.size(); n++) {
      List<String> row = rows.get(n);
      for (int i = 0; i < row.size(); i++) {
        sb.append(pad(row.get(i), width[i], left.test(i))).append(i + 1 < row.size() ? "  " : "");
      }
      sb.append('\n');
      if (n == 0) {
        for (int i = 0; i < width.length; i++) {
          sb.append("-".repeat(width[i])).append(i + 1 < width.length ? "  " : "");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** Markdown table, the first row as the header. */
  static String markdownTable(List<List<String>> rows) {
    StringBuilder sb = new StringBuilder();
    for (int n = 0; n < rows.size(); n++) {
      sb.append("| ").append(String.join(" | ", rows.get(n).stream().map(c -> c.replace("|", "\\|")).toList()))
          .append(" |\n");
      if (n == 0) {
        sb.append("|").append("---|".repeat(rows.get(0).size())).append('\n');
      }
    }
    return sb.toString();
  }

  /** One line for the progress log. */
  static String brief(Side s) {
    if (s.failure != null) {
      return "FAILED: " + s.failure;
    }
    return value(s) + (s.p99Ms != null ? ", p50/p99 " + latency(s) + " ms" : "")
        + (s.cpuSecPer1kOps != null ? ", " + cpu(s) + " CPU-s/1k" : "")
        + (s.peakRssMib != null ? ", peak RSS " + rss(s) + " MiB" : "")
        + (s.errors != null && s.errors > 0 ? ", ERRORS " + s.errors + ": " + s.errorSamples : "")
        + (s.extra.isEmpty() ? "" : " " + s.extra);
  }

  static String value(Side s) {
    if (s == null) {
      return "-";
    }
    if (s.failure != null) {
      return "failed";
    }
    return s.value == null ? "-" : number(s.value);
  }

  static String number(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String latency(Side s) {
    if (s == null || s.p50Ms == null || s.failure != null) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f/%.1f", s.p50Ms, s.p99Ms);
  }

  private static String cpu(Side s) {
    return s == null || s.cpuSecPer1kOps == null || s.failure != null ? "-"
        : String.format(Locale.ROOT, "%.3f", s.cpuSecPer1kOps);
  }

  private static String rss(Side s) {
    return s == null || s.peakRssMib == null || s.failure != null ? "-"
        : String.format(Locale.ROOT, "%.0f", s.peakRssMib);
  }

  static String pad(String s, int width, boolean left) {
    String fill = " ".repeat(Math.max(0, width - s.length()));
    return left ? s + fill : fill + s;
  }
}
