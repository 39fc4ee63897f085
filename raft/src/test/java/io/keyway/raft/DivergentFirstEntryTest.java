package io.keyway.raft;

import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.raft.cluster.ClusterIds;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The startup the issue describes: one member leads a term alone and logs index 0, the other two
 * elect a new leader that commits a different index 0, then the first member rejoins as a
 * follower. Heartbeats reach it while the append carrying the leader's index 0 is still on its way
 * (the gRPC heartbeat channel is separate); they must not make it commit its own index 0, or it
 * refuses the leader's entries forever.
 *
 * <p>Elections and message loss are steered with Ratis' code injection points, which run in
 * Ratis' request handlers of every member of this JVM.
 */
class DivergentFirstEntryTest {
  private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";

  private enum Phase { LONE_LEADER, CUT_OFF, HEALED }

  @TempDir Path dir;
  final int[] ports = TestNodes.freePorts(3);
  final KeywayNode[] nodes = new KeywayNode[3];
  volatile Phase phase = Phase.LONE_LEADER;
  volatile String lone;
  final AtomicInteger delayedFirstAppends = new AtomicInteger();

  NodeConfig config(int i) {
    return TestNodes.member(dir, ports, i, "divergent").build();
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

  /** Votes: only for the lone member first, never for it while it is cut off. */
  private boolean onVote(Object local, Object candidate) {
    boolean refuse = switch (phase) {
      case LONE_LEADER -> !lone.equals(candidate.toString());
      case CUT_OFF -> lone.equals(candidate.toString()) || lone.equals(local.toString());
      case HEALED -> false;
    };
    if (refuse) {
      throw new IllegalStateException("test: vote dropped");
    }
    return true;
  }

  /** Appends: the lone leader's are lost; once healed, its first appends from index 0 arrive late. */
  private boolean onAppend(Object local, Object leader, Object... args) {
    boolean drop = switch (phase) {
      case LONE_LEADER -> lone.equals(leader.toString());
      case CUT_OFF -> lone.equals(leader.toString()) || lone.equals(local.toString());
      case HEALED -> false;
    };
    if (drop) {
      throw new IllegalStateException("test: append dropped");
    }
    AppendEntriesRequestProto request = (AppendEntriesRequestProto) args[1];
    if (phase == Phase.HEALED && lone.equals(local.toString()) && request.getEntriesCount() > 0
        && !request.hasPreviousLog() && delayedFirstAppends.getAndIncrement() < 3) {
      try {
        Thread.sleep(3000); // on this stream only: heartbeats keep arriving on their own channel
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }

  @Test
  void aMemberWithAnotherUncommittedFirstEntryCatchesUp() throws Exception {
    // alone, n0 cannot win an election; the others start once the injections know its id
    nodes[0] = KeywayNode.start(config(0));
    KeywayNode loneNode = nodes[0];
    lone = ClusterIds.hex(loneNode.memberId());
    CodeInjectionForTesting.put(REQUEST_VOTE, (local, remote, args) -> onVote(local, remote));
    CodeInjectionForTesting.put(APPEND_ENTRIES, this::onAppend);
    nodes[1] = KeywayNode.start(config(1));
    nodes[2] = KeywayNode.start(config(2));

    eventually(() -> loneNode.isLeader() && loneNode.raftLog().getFlushIndex() >= 0,
        "the lone member leads and logs index 0");
    TermIndex loneFirst = loneNode.raftLog().getTermIndex(0);
    assertEquals(-1, loneNode.raftLog().getLastCommittedIndex(), "nobody acknowledged the lone leader");

    phase = Phase.CUT_OFF;
    eventually(() -> leaderOf(nodes[1], nodes[2]) != null
        && leaderOf(nodes[1], nodes[2]).raftLog().getLastCommittedIndex() >= 0, "the other two commit");
    KeywayNode leader = leaderOf(nodes[1], nodes[2]);
    assertNotEquals(loneFirst, leader.raftLog().getTermIndex(0), "index 0 differs between the logs");

    phase = Phase.HEALED;
    await(leader.put(put("after", "heal")));
    eventually(() -> {
      KeywayNode l = leaderOf(nodes);
      return l != null && l.raftLog().getTermIndex(0).equals(loneNode.raftLog().getTermIndex(0))
          && l.raftLog().getLastCommittedIndex() == loneNode.raftLog().getLastCommittedIndex()
          && l.revision() == loneNode.revision();
    }, "the member that led alone takes the leader's log and applies it");
    assertEquals(1, await(loneNode.range(TestNodes.getSerializable("after"))).getCount());
    assertTrue(delayedFirstAppends.get() > 0, "the leader's index 0 reached the member late, after heartbeats");
  }

  private static KeywayNode leaderOf(KeywayNode... candidates) {
    for (KeywayNode n : candidates) {
      if (n.isLeader()) {
        return n;
      }
    }
    return null;
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
