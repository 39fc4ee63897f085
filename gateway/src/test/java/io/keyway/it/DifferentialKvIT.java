package io.keyway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real etcd and Keyway side by side, fresh stores, the same HTTP/JSON requests to both; every normalised response
 * must match. Normalised away: header cluster_id/member_id/raft_term, Debian 3.4's 412 for FailedPrecondition,
 * and the text of JSON-decoder errors. The full transcript goes to it-logs/ for debugging.
 */
class DifferentialKvIT {

  private static final long SEED = Long.getLong("keyway.it.seed", 20260611L);
  private static final int RANDOM_STEPS = Integer.getInteger("keyway.it.randomSteps", 400);
  private static final int CONTEXT_STEPS = 8;

  private ServerProcess etcd;
  private ServerProcess keyway;

  @BeforeEach
  void startBoth() {
    etcd = new EtcdProcess("oracle").start();
    keyway = new KeywayProcess("subject").start();
  }

  @AfterEach
  void stopBoth() {
    if (keyway != null) {
      keyway.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void scriptedScenarioMatchesEtcd() {
    new Comparison("scripted").run(ScriptedKvScenario.steps());
  }

  @Test
  void seededRandomSequenceMatchesEtcd() {
    RandomKvWorkload workload = new RandomKvWorkload(SEED);
    Comparison comparison = new Comparison("random-seed-" + SEED);
    for (int i = 0; i < RANDOM_STEPS; i++) {
      KvStep step = workload.next();
      comparison.compare(step);
      workload.observe(comparison.revision, step, comparison.lastEtcdStatus);
    }
    comparison.finish();
  }

  /** Sends each step to both servers, stops at the first difference with context. */
  private final class Comparison {
    private final Path transcriptFile;
    private final PrintWriter transcript;
    private final Deque<String> recent = new ArrayDeque<>();
    private final HttpJson etcdHttp = etcd.http();
    private final HttpJson keywayHttp = keyway.http();
    private long revision = 1;
    private int lastEtcdStatus;
    private int index;

    Comparison(String name) {
      transcriptFile = ItEnvironment.logDir().resolve("differential-" + name + "-" + System.currentTimeMillis() + ".txt");
      try {
        transcript = new PrintWriter(Files.newBufferedWriter(transcriptFile, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException("cannot write " + transcriptFile, e);
      }
    }

    void run(List<KvStep> steps) {
      steps.forEach(this::compare);
      finish();
    }

    void compare(KvStep step) {
      index++;
      String body = step.resolvedBody(revision);
      HttpResult fromEtcd = etcdHttp.post(step.route(), body);
      HttpResult fromKeyway = keywayHttp.post(step.route(), body);
      ComparableResponse expected = ComparableResponse.of(fromEtcd, step, true);
      ComparableResponse actual = ComparableResponse.of(fromKeyway, step, false);
      String request = "#" + index + " [" + step.label() + "] POST " + step.route() + " " + abbreviate(body);
      transcript.println(request);
      transcript.println("  etcd:   " + abbreviate(expected.toString()));
      transcript.println("  keyway: " + abbreviate(actual.toString()));
      String difference = expected.differenceFrom(actual);
      if (difference != null) {
        transcript.println("  FIRST DIFFERENCE: " + difference);
        transcript.close();
        fail("Keyway differs from etcd at step " + request + "\n  " + difference
            + "\n  etcd:   " + abbreviate(expected.toString())
            + "\n  keyway: " + abbreviate(actual.toString())
            + "\n  preceding steps (oldest first):\n" + String.join("\n", recent)
            + "\n  transcript: " + transcriptFile
            + "\n  keyway log: " + keyway.logFile());
      }
      lastEtcdStatus = fromEtcd.status();
      if (expected.json() != null && expected.json().path("header").has("revision")) {
        revision = EtcdJson.revision(expected.json());
      }
      recent.addLast("    " + request + " -> " + abbreviate(expected.toString(), 300));
      if (recent.size() > CONTEXT_STEPS) {
        recent.removeFirst();
      }
      if (!keyway.isAlive()) {
        fail("Keyway died after step " + request + "; log tail:\n" + keyway.logTail(40));
      }
    }

    void finish() {
      transcript.println("all " + index + " steps matched");
      transcript.close();
    }
  }

  private static String abbreviate(String text) {
    return abbreviate(text, 2000);
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…(" + text.length() + " chars)";
  }
}
