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
    r.rows.add(new Row("cluster3-http-put", "3 members", "ops/s", true)
        .with(side(3000, 30.0), Side.failed("member m2 died")));
    return r;
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
  }

  @Test
  void textTableHasOneLinePerRowAndNamesFailures() {
    String table = TextTable.render(sample());
    assertTrue(table.lines().anyMatch(l -> l.startsWith("http-put") && l.contains("4.00×") && l.contains("yes")));
    assertTrue(table.lines().anyMatch(l -> l.startsWith("idle-rss") && l.contains("NO")));
    assertTrue(table.contains("cluster3-http-put on Keyway FAILED: member m2 died"));
    assertEquals(2 + 5 + 1, table.lines().count());
  }

  @Test
  void markdownTableHasAHeaderSeparatorAndARowPerWorkload() {
    String md = TextTable.markdown(sample());
    assertEquals(2 + 5, md.lines().count());
    assertTrue(md.lines().allMatch(l -> l.startsWith("|") && l.endsWith("|")));
  }

  @Test
  void svgIsWellFormedWithABarPerRatio() throws Exception {
    String svg = SvgChart.render(sample());
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    NodeList rects = doc.getElementsByTagName("rect");
    assertEquals(1 + 4, rects.getLength(), "background + one bar per row with a ratio");
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
}
