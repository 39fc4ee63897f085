package io.keyway.raft;

import static io.keyway.raft.TestNodes.peerUrl;
import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.raft.cluster.ClusterIds;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A linearizable read on a follower asks the leader for a read index. When the leader has been cut off from the
 * majority, which elected a new leader and committed a write, while the reading follower still reaches the old
 * leader only, the old leader must not hand out its old commit index: Ratis 3.2.2 answers at once when it confirmed
 * that index before, without a fresh round of heartbeats.
 *
 * <p>The scenario needs five voters: the reader must not be part of the majority that committed the write, or it
 * would follow the new leader already. A three-member cluster cannot reach it without learners. The old leader gets
 * a long maximum election timeout, so that it does not step down for lost heartbeats before the read (a stand-in
 * for a leader that was paused or is slow to notice). Partitions are made with Ratis' code injection points, which
 * run in the request handlers of every member of this JVM.
 */
class FollowerReadDeposedLeaderTest {
  private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
  private static final String TOKEN = "deposed-follower-read";

  @TempDir Path dir;
  final int[] ports = TestNodes.freePorts(5);
  final KeywayNode[] nodes = new KeywayNode[5];
  final Map<String, Integer> sideOf = new HashMap<>();
  volatile boolean partitioned;
  volatile String oldLeader;

  private String id(int i) {
    return ClusterIds.hex(ClusterIds.memberId(List.of(peerUrl(ports[i])), TOKEN));
  }

  NodeConfig config(int i) {
    // n0 is the leader to depose: it campaigns first and never steps down by itself during the test
    Map<String, String> raft = i == 0
        ? Map.of("raft.server.rpc.timeout.max", "120000ms",
            "raft.server.rpc.first-election.timeout.min", "10ms",
            "raft.server.rpc.first-election.timeout.max", "50ms")
        : Map.of();
    return TestNodes.member(dir, ports, i, TOKEN).raftProperties(raft).build();
  }

  @AfterEach
  void stopAll() {
    CodeInjectionForTesting.remove(REQUEST_VOTE);
    CodeInjectionForTesting.remove(APPEND_ENTRIES);
    for (KeywayNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  /** Before the partition only n0 gets votes; after it, nothing crosses between the sides. */
  private boolean onVote(Object local, Object candidate) {
    boolean refuse = partitioned ? crosses(local, candidate) : !oldLeader.equals(candidate.toString());
    if (refuse) {
      throw new IllegalStateException("test: vote dropped");
    }
    return true;
  }

  private boolean onAppend(Object local, Object leader) {
    if (partitioned && crosses(local, leader)) {
      throw new IllegalStateException("test: append dropped");
    }
    return true;
  }

  private boolean crosses(Object a, Object b) {
    return !sideOf.get(a.toString()).equals(sideOf.get(b.toString()));
  }

  @Test
  void aFollowerDoesNotReadTheOldStateFromACutOffLeader() throws Exception {
    oldLeader = id(0);
    for (int i = 0; i < 5; i++) {
      sideOf.put(id(i), i < 2 ? 0 : 1); // n0 (leader) and n1 (reader) against n2, n3, n4
    }
    CodeInjectionForTesting.put(REQUEST_VOTE, (local, remote, args) -> onVote(local, remote));
    CodeInjectionForTesting.put(APPEND_ENTRIES, (local, remote, args) -> onAppend(local, remote));
    for (int i = 4; i >= 0; i--) {
      nodes[i] = KeywayNode.start(config(i));
    }
    KeywayNode leader = nodes[0];
    KeywayNode reader = nodes[1];
    eventually(leader::isLeader, "n0 leads");
    assertTrue(io.keyway.raft.transport.AppendChainRepair.chainOf(reader.division()) != null,
        "Ratis' follower append chain is found (AppendChainRepair)");
    long term = leader.term();

    await(leader.put(put("k", "old")));
    // linearizable reads through n0 on the follower: n0 confirms its commit index with its followers. Members
    // still publish themselves at startup; repeat until nothing was committed during a read.
    long committed;
    do {
      committed = leader.raftIndex();
      assertEquals("old", value(await(reader.range(TestNodes.get("k")))));
    } while (leader.raftIndex() != committed);

    partitioned = true;
    eventually(() -> newLeader() != null, "n2, n3 or n4 leads");
    await(newLeader().put(put("k", "new")));

    CompletableFuture<RangeResponse> read = reader.range(TestNodes.get("k"));
    String seen;
    try {
      seen = value(read.get(60, TimeUnit.SECONDS));
    } catch (ExecutionException refused) {
      seen = null; // no answer is linearizable; the old value is not
      System.out.println("test: the read at n1 failed: " + refused.getCause());
    }
    System.out.println("test: the read at n1 saw " + seen);
    assertTrue(leader.isLeader() && leader.term() == term,
        "the scenario needs n0 to believe it still leads when the read was answered");
    assertTrue(seen == null || seen.equals("new"), "a read that began after 'new' was acknowledged saw " + seen);
  }

  private KeywayNode newLeader() {
    for (int i = 2; i < 5; i++) {
      if (nodes[i].isLeader()) {
        return nodes[i];
      }
    }
    return null;
  }

  private static String value(RangeResponse r) {
    return r.getCount() == 0 ? "<none>" : r.getKvs(0).getValue().toStringUtf8();
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(60, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
