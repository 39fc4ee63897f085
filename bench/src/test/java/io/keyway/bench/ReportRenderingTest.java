package io.keyway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class ReportRenderingTest {

  static Side side(double value, Double p99) {
    Side s = new Side();
    s.value = value;
    s.p50Ms = p99 == null ? null : p99 / 4;
    s.p99Ms = p99;
    s.errors = 0L;
    s.loadAvgStart = 1.5;
    s.loadAvgEnd = 2.5;
    return s;
  }

  static Results sample() {
    Results r = new Results();
    r.startedAt = "2026-12-05T23:00:00Z";
    r.finishedAt = "2026-12-05T23:10:00Z";
    r.mode = "full";
    r.machine.put("cpus", "2");
    r.machine.put("etcd", "etcd Version: 3.4.23");
    r.rows.add(new Row("http-put", "HTTP put <256 B>", "ops/s", true).with(side(1000, 20.0), side(4000, 10.0))
        .ratioAtLeast(3));
    r.rows.add(new Row("idle-rss", "idle RSS", "MiB", false).with(side(25, null), side(150, null)).ratioAtMost(3));
    r.rows.add(new Row("cold-start", "cold start", "s", false).with(side(1.0, null), side(1.2, null))
        .keywayAtMost(1.5));
    r.rows.add(new Row("ws-watch-1000", "watch", "events/s", true).with(side(10_000, 50.0), side(40_000, 60.0))
        .ratioAtLeastWithP99(3));
    r.rows.add(new Row("cluster3-http-put-leader-c64", "3 members", "ops/s", true)
        .with(side(3000, 30.0), Side.failed("member m2 died")).ratioAtLeast(1.5));
    Side e = side(2.0, 3.0);
    e.avgMs = 2.0;
    e.opsPerSecond = 500.0;
    Side k = side(1.5, 2.5);
    k.avgMs = 1.5;
    k.opsPerSecond = 660.0;
    r.rows.add(new Row("cluster3-grpc-put-follower-c1", "3 members, 1 client", "ms avg", false).with(e, k)
        .ratioAtMost(1.5));
    r.rows.add(new Row("cluster3-availability", "kills", "ok ops/s", true)
        .with(availability(466, 4, "yes", 0), availability(500, 3, "yes", 0)).availabilityTarget());
    return r;
  }

  static Side availability(double okPerSecond, int secondsWithout, String linearizable, int lost) {
    Side s = side(okPerSecond, null);
    s.extra.put("secondsWithoutSuccess", secondsWithout);
    s.extra.put("windowSeconds", 60);
    s.extra.put("longestGapSeconds", 1.7);
    s.extra.put("linearizable", linearizable);
    s.extra.put("lostAcknowledgedWrites", lost);
    s.extra.put("acknowledgedWrites", 9000);
    s.extra.put("kills", 13);
    s.extra.put("leaderKills", 9);
    return s;
  }

  @Test
  void targetsAreJudgedFromTheRatiosAndKeywaysOwnNumbers() {
    Results r = sample();
    assertEquals(4.0, r.rows.get(0).ratio, 1e-9);
    assertTrue(r.rows.get(0).targetMet);
    assertEquals(6.0, r.rows.get(1).ratio, 1e-9);
    assertFalse(r.rows.get(1).targetMet);
    assertTrue(r.rows.get(2).targetMet);
    assertFalse(r.rows.get(3).targetMet, "4× the events but a worse p99 misses the watch target");
    assertEquals(null, r.rows.get(4).ratio);
    assertFalse(r.rows.get(4).targetMet, "a failed cluster row misses its target");
    assertEquals(0.75, r.rows.get(5).ratio, 1e-9);
    assertTrue(r.rows.get(5).targetMet);
    assertTrue(r.rows.get(6).targetMet);
  }

  @Test
  void availabilityTargetNeedsEtcdsRateNoMoreDeadSecondsAndACleanHistory() {
    Row fewer = new Row("cluster3-availability", "", "ok ops/s", true)
        .with(availability(466, 4, "yes", 0), availability(400, 3, "yes", 0)).availabilityTarget();
    assertFalse(fewer.targetMet, "fewer successful ops/s");
    Row deadSeconds = new Row("cluster3-availability", "", "ok ops/s", true)
        .with(availability(466, 4, "yes", 0), availability(900, 5, "yes", 0)).availabilityTarget();
    assertFalse(deadSeconds.targetMet, "more seconds without success");
    Row notLinearizable = new Row("cluster3-availability", "", "ok ops/s", true)
        .with(availability(466, 4, "yes", 0), availability(900, 1, "NO", 0)).availabilityTarget();
    assertFalse(notLinearizable.targetMet);
    Row lost = new Row("cluster3-availability", "", "ok ops/s", true)
        .with(availability(466, 4, "yes", 0), availability(900, 1, "yes", 2)).availabilityTarget();
    assertFalse(lost.targetMet);
  }

  @Test
  void clusterRowsHaveTheirOwnTablesWithLatencyAndThroughput() {
    String md = ClusterTable.markdown(sample());
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| cluster3-grpc-put-follower-c1 | 2.00/3.00 | 500 |"
        + " 1.50/2.50 | 660 | 0.75× latency | ≤ 1.5× latency | yes |")), md);
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| cluster3-http-put-leader-c64 |") && l.contains("failed")));
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| seconds without any success | 4 of 60 | 3 of 60 |")), md);
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| acknowledged writes lost | 0 of 9000 | 0 of 9000 |")), md);
    assertFalse(TextTable.markdown(sample()).contains("cluster3-"), "not in the single-member table");
  }

  @Test
  void textTableHasOneLinePerRowAndNamesFailures() {
    String table = TextTable.render(sample());
    assertTrue(table.lines().anyMatch(l -> l.startsWith("http-put") && l.contains("4.00×") && l.contains("yes")));
    assertTrue(table.lines().anyMatch(l -> l.startsWith("idle-rss") && l.contains("NO")));
    assertTrue(table.contains("cluster3-http-put-leader-c64 on Keyway FAILED: member m2 died"));
    // single-member table, then a blank line and the cluster table, a blank line and the availability table
    assertEquals(2 + 4 + 1 + 2 + 2 + 1 + 2 + 8 + 1, table.lines().count(), table);
  }

  @Test
  void markdownTableHasAHeaderSeparatorAndARowPerWorkload() {
    String md = TextTable.markdown(sample());
    assertEquals(2 + 4, md.lines().count());
    assertTrue(md.lines().allMatch(l -> l.startsWith("|") && l.endsWith("|")));
  }

  @Test
  void svgIsWellFormedWithABarPerRatio() throws Exception {
    String svg = SvgChart.render(sample());
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    NodeList rects = doc.getElementsByTagName("rect");
    assertEquals(1 + 4, rects.getLength(), "background + one bar per single-member row with a ratio");
    assertTrue(svg.contains("HTTP put &lt;256 B&gt;"), "text is escaped");
    assertTrue(svg.contains("#2e7d32") && svg.contains("#c62828"));
  }

  @Test
  void resultsSurviveAJsonRoundTrip() throws Exception {
    String json = BenchMain.JSON.writeValueAsString(sample());
    Results back = BenchMain.JSON.readValue(json, Results.class);
    assertEquals(TextTable.render(sample()), TextTable.render(back));
  }

  @Test
  void publishingKeepsTheHandWrittenNotes() {
    String first = Publisher.merge(null, "table v1\n");
    String edited = first.replace("(analysis goes here)", "Keyway wins on reads.");
    String second = Publisher.merge(edited, "table v2\n");
    assertTrue(second.contains("table v2") && !second.contains("table v1"));
    assertTrue(second.contains("Keyway wins on reads."));
    assertTrue(Publisher.generated(sample(), "x.json").contains("![Keyway vs etcd](benchmarks.svg)"));
  }

  @Test
  void theClusterBlockIsReplacedOnItsOwnAndKeepsTheRest() {
    String doc = Publisher.merge(null, "single table v1\n").replace("(analysis goes here)", "notes");
    String withCluster = Publisher.mergeCluster(doc, "cluster v1\n");
    assertTrue(withCluster.contains("## 3-member cluster") && withCluster.contains("cluster v1"));
    String edited = withCluster + "\nCluster notes by hand.\n";
    String again = Publisher.mergeCluster(edited, "cluster v2\n");
    assertTrue(again.contains("cluster v2") && !again.contains("cluster v1"));
    assertTrue(again.contains("single table v1") && again.contains("notes") && again.contains("Cluster notes by hand."));
    String mainAgain = Publisher.merge(again, "single table v2\n");
    assertTrue(mainAgain.contains("single table v2") && mainAgain.contains("cluster v2"));
    assertTrue(Publisher.clusterGenerated(sample(), "c.json").contains("cluster3-grpc-put-follower-c1"));
  }
}
