package io.keyway.raft.transport;

import static io.keyway.raft.transport.CatchUpLogAppenderTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import java.util.function.LongFunction;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;

/** The commit index a heartbeat may give a follower, by what the follower's log holds. */
class HeartbeatCommitGuardTest {
  /** A follower's log: indexes 5..7 of term 3, then an old leader's index 8 of term 2 (not yet replaced). */
  private static final Map<Long, TermIndex> LOG = Map.of(
      5L, TermIndex.valueOf(3, 5), 6L, TermIndex.valueOf(3, 6), 7L, TermIndex.valueOf(3, 7),
      8L, TermIndex.valueOf(2, 8));
  private static final LongFunction<TermIndex> HOLDS = LOG::get;

  private static TermIndexProto previous(long term, long index) {
    return TermIndexProto.newBuilder().setTerm(term).setIndex(index).build();
  }

  private static long commitOf(AppendEntriesRequestProto request) {
    return HeartbeatCommitGuard.withVerifiedCommit(request, HOLDS).getLeaderCommit();
  }

  @Test
  void aHeartbeatWhosePreviousTheLogHoldsKeepsItsCommit() {
    AppendEntriesRequestProto heartbeat = request(9, previous(3, 7));
    assertSame(heartbeat, HeartbeatCommitGuard.withVerifiedCommit(heartbeat, HOLDS));
  }

  @Test
  void aHeartbeatWhosePreviousIsOnlyQueuedCommitsNothing() {
    // (3, 9) was accepted but is still queued: index 8 is the old leader's entry until it is replaced
    assertEquals(-1, commitOf(request(9, previous(3, 9))));
    assertEquals(-1, commitOf(request(9, previous(3, 8))), "same index, another term");
  }

  @Test
  void aHeartbeatWithoutPreviousCommitsNothing() {
    assertEquals(-1, commitOf(request(9, null)));
  }

  @Test
  void appendsWithEntriesAreLeftAlone() {
    // the follower commits after their own entries are in its log, queued behind the earlier ones
    AppendEntriesRequestProto append = request(12, previous(3, 9), 10, 11);
    assertSame(append, HeartbeatCommitGuard.withVerifiedCommit(append, HOLDS));
    AppendEntriesRequestProto noCommit = request(-1, previous(3, 9));
    assertSame(noCommit, HeartbeatCommitGuard.withVerifiedCommit(noCommit, HOLDS));
  }
}
