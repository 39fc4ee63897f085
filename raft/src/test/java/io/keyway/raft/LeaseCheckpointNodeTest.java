package io.keyway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.store.LeaseRecord;
import io.keyway.store.LeaseStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lease checkpointing (etcd's --experimental-enable-lease-checkpoint[-persist]) on a real single-member node:
 * the leader replicates remaining TTLs through Raft, and after a restart a lease continues from its checkpoint
 * instead of starting its full TTL again; without the flags it starts again as before.
 */
class LeaseCheckpointNodeTest {
  private static final long TTL = 100;

  @TempDir Path dir;
  int port = TestNodes.freePort();
  KeywayNode node;

  /** 500 ms elections (promotion extends clocks by 0.5 s); checkpoints due 200 ms after a clock (re)starts. */
  NodeConfig config(boolean checkpoints) {
    return TestNodes.single(dir, port).electionTimeoutMs(500).heartbeatIntervalMs(50)
        .leaseCheckpoint(checkpoints).leaseCheckpointPersist(checkpoints).leaseCheckpointIntervalMs(200).build();
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  void start(boolean checkpoints) throws Exception {
    node = KeywayNode.start(config(checkpoints));
    assertTrue(node.awaitLeader(Duration.ofSeconds(10)), "single member elects itself");
  }

  void restart(boolean checkpoints) throws Exception {
    node.close();
    node = null;
    start(checkpoints);
  }

  long ttl(long id) throws Exception {
    return await(node.timeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build())).getTTL();
  }

  LeaseRecord record(long id) {
    return ((LeaseStore) node.store()).leases().stream().filter(r -> r.id() == id).findFirst().orElseThrow();
  }

  @Test
  void aRestartedLeaseContinuesFromItsCheckpoint() throws Exception {
    start(true);
    long id = await(node.grant(LeaseGrantRequest.newBuilder().setTTL(TTL).build())).getID();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (record(id).remainingTtl() == 0 || record(id).remainingTtl() > TTL - 3) {
      assertTrue(System.nanoTime() < deadline, "no checkpoint of 3 s elapsed was applied: " + record(id));
      Thread.sleep(100);
    }
    long checkpointed = record(id).remainingTtl();

    restart(true);
    assertEquals(checkpointed, record(id).remainingTtl(), "the checkpoint was persisted");
    long after = ttl(id);
    // the clock restarted from the checkpoint plus the 0.5 s promotion extension, not from 100 s
    assertTrue(after <= checkpointed && after >= checkpointed - 2,
        "TTL " + after + " after a restart, checkpointed " + checkpointed);

    // a keep-alive clears the checkpoint through Raft: the lease is back to its full TTL, durably
    assertEquals(TTL, await(node.keepAlive(id)).getTTL());
    assertEquals(0, record(id).remainingTtl());
    assertTrue(ttl(id) >= TTL - 1, "renewed to the full TTL: " + ttl(id));
  }

  @Test
  void withoutCheckpointsARestartedLeaseStartsItsFullTtlAgain() throws Exception {
    start(false);
    long id = await(node.grant(LeaseGrantRequest.newBuilder().setTTL(TTL).build())).getID();
    Thread.sleep(3_000);
    assertTrue(ttl(id) <= TTL - 2, "the clock ran on the leader: " + ttl(id));
    assertEquals(0, record(id).remainingTtl(), "nothing checkpointed");

    restart(false);
    assertTrue(ttl(id) >= TTL - 1, "the clock restarted from the full TTL: " + ttl(id));
  }
}
