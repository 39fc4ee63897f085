package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format (0.0.4): every sample belongs to a family announced by
 * one {@code # TYPE} line (and at most one {@code # HELP}) before its samples, names and labels are well formed,
 * values are numbers.
 */
final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  record Sample(String name, Map<String, String> labels, double value) {}

  final Map<String, String> types = new LinkedHashMap<>();
  final Map<String, String> helps = new HashMap<>();
  final List<Sample> samples = new ArrayList<>();

  static PrometheusText parse(String text) {
    PrometheusText p = new PrometheusText();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# HELP ")) {
        String[] parts = line.substring(7).split(" ", 2);
        assertTrue(NAME.matcher(parts[0]).matches(), line);
        assertFalse(p.helps.containsKey(parts[0]), "second HELP: " + line);
        p.helps.put(parts[0], parts.length > 1 ? parts[1] : "");
      } else if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ");
        assertEquals(2, parts.length, line);
        assertTrue(NAME.matcher(parts[0]).matches(), line);
        assertTrue(TYPES.contains(parts[1]), line);
        assertFalse(p.types.containsKey(parts[0]), "second TYPE: " + line);
        p.types.put(parts[0], parts[1]);
      } else if (line.startsWith("#")) {
        continue; // a comment
      } else {
        Matcher m = SAMPLE.matcher(line);
        assertTrue(m.matches(), "malformed sample: " + line);
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(3) != null && !m.group(3).isEmpty()) {
          Matcher l = LABEL.matcher(m.group(3));
          int at = 0;
          while (l.find() && l.start() == at) {
            labels.put(l.group(1), l.group(2));
            at = l.end();
          }
          assertEquals(m.group(3).length(), at, "malformed labels: " + line);
        }
        String family = p.familyOf(m.group(1));
        assertNotNull(family, "sample without a TYPE line before it: " + line);
        p.samples.add(new Sample(m.group(1), labels, number(m.group(4), line)));
      }
    }
    return p;
  }

  private String familyOf(String sample) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        String type = types.get(base);
        if (type != null && !type.equals("gauge")) {
          return base;
        }
      }
    }
    return null;
  }

  private static double number(String s, String line) {
    switch (s) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new AssertionError("not a number in: " + line);
        }
    }
  }

  /** The value of the one sample with this name and (a superset of) these labels; fails when there is none. */
  double value(String name, String... labelPairs) {
    Double v = find(name, labelPairs);
    assertNotNull(v, "no sample " + name + " " + List.of(labelPairs));
    return v;
  }

  /** Like {@link #value} but 0 when the sample does not exist (yet). */
  double valueOrZero(String name, String... labelPairs) {
    Double v = find(name, labelPairs);
    return v == null ? 0 : v;
  }

  private Double find(String name, String... labelPairs) {
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labelPairs.length; i += 2) {
        all &= labelPairs[i + 1].equals(s.labels().get(labelPairs[i]));
      }
      if (all) {
        return s.value();
      }
    }
    return null;
  }

  boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }
}
