package io.keyway.raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.junit.jupiter.api.Test;

/** The commit index an append without a previous entry may carry to a follower. */
class CatchUpLogAppenderTest {
  static AppendEntriesRequestProto request(long leaderCommit, TermIndexProto previous, long... entryIndexes) {
    AppendEntriesRequestProto.Builder b = AppendEntriesRequestProto.newBuilder().setLeaderTerm(4)
        .setLeaderCommit(leaderCommit);
    if (previous != null) {
      b.setPreviousLog(previous);
    }
    for (long i : entryIndexes) {
      b.addEntries(LogEntryProto.newBuilder().setTerm(4).setIndex(i));
    }
    return b.build();
  }

  @Test
  void aHeartbeatWithoutPreviousCommitsNothingOnTheFollower() {
    // Ratis would let it commit min(10, 0) = index 0, whatever the follower holds there
    assertEquals(-1, CatchUpLogAppender.withoutForeignCommit(request(10, null)).getLeaderCommit());
  }

  @Test
  void entriesWithoutPreviousCommitAtMostTheirLastIndex() {
    assertEquals(2, CatchUpLogAppender.withoutForeignCommit(request(10, null, 0, 1, 2)).getLeaderCommit());
    AppendEntriesRequestProto behind = request(1, null, 0, 1, 2);
    assertSame(behind, CatchUpLogAppender.withoutForeignCommit(behind), "a lower commit is kept");
  }

  @Test
  void requestsWithPreviousAreLeftAlone() {
    AppendEntriesRequestProto heartbeat = request(10, TermIndexProto.newBuilder().setTerm(4).setIndex(7).build());
    assertSame(heartbeat, CatchUpLogAppender.withoutForeignCommit(heartbeat));
    assertEquals(null, CatchUpLogAppender.withoutForeignCommit(null));
  }
}
