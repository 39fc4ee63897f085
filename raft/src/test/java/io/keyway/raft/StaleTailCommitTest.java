package io.keyway.raft;

import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.raft.cluster.ClusterIds;
import io.keyway.raft.transport.AppendChainRepair;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deposed leader rejoins with an uncommitted entry of its own at an index where the new leader has another. The
 * new leader's append that replaces it is accepted but still waits in the member's append queue (a slow disk, an
 * earlier append still running: here a gate), long enough for the leader to give up waiting for its answer; the
 * leader's heartbeats then name the replacing entries as "previous". Ratis 3.2.2 accepts such a previous because it
 * is queued, and lets the heartbeat commit up to it at once, over the old entry still in the log: the member applied
 * a write the cluster never committed, at a revision where the others applied another (LinearizabilityIT with
 * partitions saw two members deliver different events at one revision). A heartbeat must commit only through an
 * entry the log holds.
 *
 * <p>Messages are steered with Ratis' code injection points, which run in every member of this JVM.
 */
class StaleTailCommitTest {
  private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";
  private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
  /** Longer than the leader's request timeout (3 s) plus a heartbeat period. */
  private static final long GATE_MILLIS = 6000;

  private enum Phase { CONNECTED, CUT_OFF, HEALED }

  @TempDir Path dir;
  final int[] ports = TestNodes.freePorts(3);
  final KeywayNode[] nodes = new KeywayNode[3];
  volatile Phase phase = Phase.CONNECTED;
  volatile String deposed;
  volatile KeywayNode deposedNode;
  volatile boolean gateClosed;
  final AtomicInteger heartbeatsNamingQueuedEntries = new AtomicInteger();

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

  /** While cut off, the deposed leader neither gets nor gives votes. */
  private boolean onVote(Object local, Object candidate) {
    if (phase == Phase.CUT_OFF && (deposed.equals(candidate.toString()) || deposed.equals(local.toString()))) {
      throw new IllegalStateException("test: vote dropped");
    }
    return true;
  }

  /** While cut off, no append reaches or leaves the deposed leader; once healed, its heartbeats are counted. */
  private boolean onAppend(Object local, Object leader, Object... args) {
    if (phase == Phase.CUT_OFF && (deposed.equals(leader.toString()) || deposed.equals(local.toString()))) {
      throw new IllegalStateException("test: append dropped");
    }
    AppendEntriesRequestProto request = (AppendEntriesRequestProto) args[1];
    if (gateClosed && deposed.equals(local.toString()) && request.getEntriesCount() == 0
        && request.hasPreviousLog()) {
      TermIndex previous = TermIndex.valueOf(request.getPreviousLog());
      if (!previous.equals(deposedNode.raftLog().getTermIndex(previous.getIndex()))) {
        heartbeatsNamingQueuedEntries.incrementAndGet();
      }
    }
    return true;
  }

  @Test
  void aHeartbeatDoesNotCommitAnEntryStillWaitingToReplaceAnotherOne() throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes[i] = KeywayNode.start(TestNodes.member(dir, ports, i, "stale-tail").build());
    }
    eventually(() -> leaderOf(nodes) != null, "a leader");
    KeywayNode old = leaderOf(nodes);
    await(old.put(put("before", "cut")));
    deposedNode = old;
    deposed = ClusterIds.hex(old.memberId());
    CodeInjectionForTesting.put(REQUEST_VOTE, (local, remote, args) -> onVote(local, remote));
    CodeInjectionForTesting.put(APPEND_ENTRIES, this::onAppend);

    phase = Phase.CUT_OFF;
    long committed = old.raftLog().getLastCommittedIndex();
    CompletableFuture<?> lost = old.put(put("stale", "never committed"));
    eventually(() -> old.raftLog().getFlushIndex() > committed, "the cut-off leader logs its write");
    KeywayNode[] others = othersThan(old);
    eventually(() -> leaderOf(others) != null, "the others elect a leader");
    KeywayNode leader = leaderOf(others);
    await(leader.put(put("winner", "committed")));
    eventually(() -> leader.appliedIndex() >= leader.raftLog().getLastCommittedIndex(), "the leader applies it");

    // the deposed member's appends wait behind the gate; the leader's heartbeats keep coming
    AtomicReference<CompletableFuture<Void>> chain = AppendChainRepair.chainOf(old.division());
    CompletableFuture<Void> gate = new CompletableFuture<>();
    chain.updateAndGet(f -> f.thenCompose(v -> gate));
    gateClosed = true;
    phase = Phase.HEALED;
    Thread.sleep(GATE_MILLIS);
    gateClosed = false;
    gate.complete(null);

    long winnerIndex = leader.appliedIndex();
    eventually(() -> old.appliedIndex() >= winnerIndex, "the deposed member applies the leader's entries");
    assertTrue(heartbeatsNamingQueuedEntries.get() > 0,
        "heartbeats named entries still queued on the deposed member");
    assertEquals(0, await(old.range(TestNodes.getSerializable("stale"))).getCount(),
        "the deposed member applied its write that the cluster never committed");
    assertEquals(1, await(old.range(TestNodes.getSerializable("winner"))).getCount());
    assertEquals(leader.revision(), old.revision());
    assertTrue(!lost.isDone() || lost.isCompletedExceptionally(), "the cut-off write was never acknowledged");
  }

  private KeywayNode[] othersThan(KeywayNode n) {
    return java.util.Arrays.stream(nodes).filter(m -> m != n).toArray(KeywayNode[]::new);
  }

  private static KeywayNode leaderOf(KeywayNode... candidates) {
    for (KeywayNode n : candidates) {
      if (n.isLeader()) {
        return n;
      }
    }
    return null;
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
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
