package io.keyway.raft.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/** Which follower answers prove a leadership: only answers to requests sent after the mark, from a majority. */
class LeaderHeartbeatsTest {
  private static final RaftPeerId SELF = RaftPeerId.valueOf("a");
  private static final RaftPeerId B = RaftPeerId.valueOf("b");
  private static final RaftPeerId C = RaftPeerId.valueOf("c");
  private static final List<RaftPeerId> VOTERS = List.of(SELF, B, C);

  private final LeaderHeartbeats.FollowerAcks b = new LeaderHeartbeats.FollowerAcks(null, 3, Long::compare);
  private final LeaderHeartbeats.FollowerAcks c = new LeaderHeartbeats.FollowerAcks(null, 3, Long::compare);

  private LeaderHeartbeats.Marks marksAt(long callIdB, long callIdC) {
    return new LeaderHeartbeats.Marks(3, Map.of(
        B, new LeaderHeartbeats.Mark(b, callIdB), C, new LeaderHeartbeats.Mark(c, callIdC)));
  }

  @Test
  void noAnswerNoLeadership() {
    assertFalse(LeaderHeartbeats.confirmed(marksAt(10, 20), VOTERS, SELF));
  }

  @Test
  void answersToRequestsSentBeforeTheMarkDoNotCount() {
    b.acked(9); // confirmed an earlier read, say; the leader may have been deposed since
    c.acked(19);
    assertFalse(LeaderHeartbeats.confirmed(marksAt(10, 20), VOTERS, SELF));
  }

  @Test
  void oneFollowerAnsweringAfterTheMarkMakesAMajorityOfThree() {
    b.acked(10);
    assertTrue(LeaderHeartbeats.confirmed(marksAt(10, 20), VOTERS, SELF));
  }

  @Test
  void fiveVotersNeedTwoFollowers() {
    RaftPeerId d = RaftPeerId.valueOf("d");
    RaftPeerId e = RaftPeerId.valueOf("e");
    List<RaftPeerId> five = List.of(SELF, B, C, d, e);
    b.acked(11);
    assertFalse(LeaderHeartbeats.confirmed(marksAt(10, 20), five, SELF));
    c.acked(25);
    assertTrue(LeaderHeartbeats.confirmed(marksAt(10, 20), five, SELF));
  }

  @Test
  void aFollowerWithoutMarkDoesNotCount() {
    // an appender registered for another term (or none) was not marked
    LeaderHeartbeats.Marks onlyB = new LeaderHeartbeats.Marks(3, Map.of(B, new LeaderHeartbeats.Mark(b, 10)));
    c.acked(100);
    assertFalse(LeaderHeartbeats.confirmed(onlyB, VOTERS, SELF));
  }

  @Test
  void aLoneMemberLeadsByItself() {
    assertTrue(LeaderHeartbeats.confirmed(new LeaderHeartbeats.Marks(3, Map.of()), List.of(SELF), SELF));
  }
}
