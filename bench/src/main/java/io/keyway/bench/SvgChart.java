package io.keyway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bar per row: how many times better Keyway did than etcd (Keyway/etcd for throughput, etcd/Keyway where
 * lower is better), on a log scale centred on parity. Green: issue #9's target met; red: missed; grey: none.
 */
final class SvgChart {
  private static final int LABEL_W = 230;
  private static final int PLOT_W = 560;
  private static final int BAR_H = 18;
  private static final int GAP = 8;
  private static final int TOP = 56;
  private static final double MIN_LOG = -4;   // 1/16
  private static final double MAX_LOG = 6;    // 64

  private SvgChart() {}

  static String render(Results r) {
    List<Row> rows = new ArrayList<>();
    for (Row row : r.rows) {
      if (row.ratio != null && row.ratio > 0 && !ClusterTable.isCluster(row)) {
        rows.add(row);
      }
    }
    int height = TOP + rows.size() * (BAR_H + GAP) + 40;
    int width = LABEL_W + PLOT_W + 90;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    String etcd = r.machine.getOrDefault("etcd", "").replace("etcd Version:", "").trim();
    String when = r.startedAt == null ? "" : r.startedAt.replaceFirst("(T\\d\\d:\\d\\d:\\d\\d)\\.\\d+", "$1");
    svg.append(text(10, 20, "Keyway vs etcd " + escape(etcd) + " — " + escape(r.mode) + " run, " + escape(when)
        + " (" + escape(r.machine.getOrDefault("cpus", "?")) + " CPUs, shared)", "bold", "start"));
    svg.append(text(10, 38, "times better than etcd (log scale; throughput: Keyway/etcd, memory and time:"
        + " etcd/Keyway); green: #9 target met, red: missed, grey: no target", "normal", "start"));
    double x1 = x(0);
    for (int e = (int) MIN_LOG; e <= MAX_LOG; e += 2) {
      double gx = x(e);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n",
          gx, TOP - 6, gx, height - 34));
      String label = e >= 0 ? (1L << e) + "×" : "1/" + (1L << -e);
      svg.append(text(gx, height - 20, label, "normal", "middle"));
    }
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      double advantage = row.higherIsBetter ? row.ratio : 1.0 / row.ratio;
      double log = Math.max(MIN_LOG, Math.min(MAX_LOG, Math.log(advantage) / Math.log(2)));
      double bx = x(log);
      int y = TOP + i * (BAR_H + GAP);
      String color = row.targetMet == null ? "#78909c" : row.targetMet ? "#2e7d32" : "#c62828";
      svg.append(text(LABEL_W - 8, y + BAR_H - 5, escape(row.id), "normal", "end"));
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>\n",
          Math.min(x1, bx), y, Math.max(1, Math.abs(bx - x1)), BAR_H, color,
          escape(row.description + ": Keyway/etcd = " + String.format(Locale.ROOT, "%.2f", row.ratio)
              + (row.target == null ? "" : ", target " + row.target))));
      svg.append(text(Math.max(x1, bx) + 4, y + BAR_H - 5,
          String.format(Locale.ROOT, "%.2f×", advantage), "normal", "start"));
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n",
        x1, TOP - 6, x1, height - 34));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static double x(double log2) {
    return LABEL_W + (log2 - MIN_LOG) / (MAX_LOG - MIN_LOG) * PLOT_W;
  }

  private static String text(double x, double y, String s, String weight, String anchor) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>\n",
        x, y, weight, anchor, s);
  }

  static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
