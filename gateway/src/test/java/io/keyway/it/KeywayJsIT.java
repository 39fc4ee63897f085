package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * keyway.js ({@code clients/js}) under node's test runner: its unit tests, then its integration suite against a
 * 3-member Keyway cluster, where the suite asks for the member its cache watches to be killed and restarted
 * (a {@code KEYWAY_FAULT kill|restart <index>} line), and against real etcd 3.4 (the same gateway protocol;
 * etcd's WebSocket proxy cannot authenticate, so the suite skips auth there). Needs {@code node} >= 20.
 */
class KeywayJsIT {
  private static final Path CLIENT = Paths.get("..", "clients", "js");
  /** -Dkeyway.it.cache.writes=N: the suite's random writes (issue #16's 10 000); CI uses 320 / 640. */
  private static final Integer WRITES = Integer.getInteger("keyway.it.cache.writes");
  /**
   * Below JUnit's 240 s deadline of a test method, so a suite that hangs is stopped here and its output (which
   * of its steps hung) reaches the report; with more writes by hand, raise both (-Dkeyway.test.timeout).
   */
  private static final long TIMEOUT_SECONDS = 200 + (WRITES == null ? 0 : WRITES / 10);

  @Test
  void unitTests() {
    NodeCommand.Result r = NodeCommand.run(CLIENT, 60, "node", "test/run.mjs", "unit");
    assertEquals(0, r.exitCode(), () -> "keyway.js unit tests failed:\n" + r.output());
    assertTrue(r.output().contains("fail 0"), r::output);
  }

  @Test
  void againstAThreeMemberClusterWithAMemberKilledAndRestarted() {
    try (ProcessCluster cluster = ProcessCluster.start("js", 3)) {
      NodeCommand.Result r = integration(cluster.endpoints(cluster.members()),
          ItEnvironment.targetIsEtcd() ? "etcd" : "keyway", true, line -> fault(cluster, line));
      assertEquals(0, r.exitCode(), () -> "keyway.js integration tests failed against " + cluster.members()
          + ":\n" + r.output());
      assertTrue(r.output().contains("ok cache survived faults"), r::output); // the fault steps ran
    }
  }

  @Test
  void againstEtcd() {
    try (EtcdProcess etcd = new EtcdProcess("js-oracle")) {
      etcd.start();
      NodeCommand.Result r = integration(etcd.clientUrl(), "etcd", false, line -> { });
      assertEquals(0, r.exitCode(), () -> "keyway.js integration tests failed against " + etcd + ":\n" + r.output());
    }
  }

  private static NodeCommand.Result integration(String endpoints, String target, boolean faults,
      Consumer<String> onLine) {
    // a cluster's writes cost more (and it has the fault test on top): fewer random writes keep it lean
    Map<String, String> env = Map.of("KEYWAY_ENDPOINTS", endpoints, "KEYWAY_TARGET", target,
        "KEYWAY_FAULTS", faults ? "1" : "", "KEYWAY_JS_WRITES",
        WRITES != null ? Integer.toString(WRITES) : faults ? "320" : "640");
    NodeCommand.Result r = NodeCommand.run(CLIENT, TIMEOUT_SECONDS, env, onLine, "node", "test/run.mjs", "integration");
    System.out.println("keyway.js integration suite against " + endpoints + ":\n" + r.output());
    assertTrue(r.output().contains("✔ the cache tracks random writers"), r::output); // the suite ran
    return r;
  }

  /** The suite's fault requests; it sees each done when the member stops or starts answering. */
  private static void fault(ProcessCluster cluster, String line) {
    String[] words = line.trim().split(" ");
    if (words.length != 3 || !words[0].equals("KEYWAY_FAULT")) {
      return;
    }
    ServerProcess member = cluster.member(Integer.parseInt(words[2]));
    switch (words[1]) {
      case "kill" -> member.kill();
      case "restart" -> member.start();
      default -> throw new IllegalArgumentException("unknown fault " + line);
    }
  }
}
