package io.keyway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.gateway.config.Cli;
import io.keyway.raft.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** etcd's lease checkpoint flags, from the command line to the member's configuration. */
class LeaseCheckpointFlagsTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Cli.Outcome parse(Map<String, String> env, String... args) {
    return Cli.parse(args, env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private NodeConfig node(Map<String, String> env, String... args) {
    Cli.Outcome o = parse(env, args);
    Cli.Outcome.Run run = assertInstanceOf(Cli.Outcome.Run.class, o, () -> "stderr: " + err);
    assertTrue(run.warnings().isEmpty(), "served flags, not ignored ones: " + run.warnings());
    return NodeConfigs.from(run.config());
  }

  @Test
  void checkpointingIsOffByDefaultWithEtcdsFiveMinuteInterval() {
    NodeConfig c = node(Map.of());
    assertFalse(c.leaseCheckpoint());
    assertFalse(c.leaseCheckpointPersist());
    assertEquals(300_000, c.leaseCheckpointIntervalMs());
  }

  @Test
  void theFlagsReachTheMember() {
    NodeConfig c = node(Map.of("ETCD_EXPERIMENTAL_LEASE_CHECKPOINT_INTERVAL", "1.5s"),
        "--experimental-enable-lease-checkpoint", "--experimental-enable-lease-checkpoint-persist=true");
    assertTrue(c.leaseCheckpoint());
    assertTrue(c.leaseCheckpointPersist());
    assertEquals(1_500, c.leaseCheckpointIntervalMs());

    NodeConfig onlyCheckpoints = node(Map.of(), "--experimental-enable-lease-checkpoint=true");
    assertTrue(onlyCheckpoints.leaseCheckpoint());
    assertFalse(onlyCheckpoints.leaseCheckpointPersist());
  }

  @Test
  void persistenceWithoutCheckpointsIsEtcdsStartupError() {
    Cli.Outcome o = parse(Map.of(), "--experimental-enable-lease-checkpoint-persist");
    assertInstanceOf(Cli.Outcome.Exit.class, o);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains(
        "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint"),
        err.toString(StandardCharsets.UTF_8));
  }
}
