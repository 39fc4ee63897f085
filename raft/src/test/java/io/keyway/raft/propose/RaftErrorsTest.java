package io.keyway.raft.propose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import org.junit.jupiter.api.Test;

class RaftErrorsTest {
  @Test
  void aReadIndexTheLeaderRefusedIsALeaderChangeTheReadRetries() {
    // what a follower's JRaft reports when its leader answers the round with success=false
    EtcdException e = RaftErrors.ofReadIndex(new Status(-1, "Fail to run ReadIndex task, maybe the leader stepped down."));
    assertEquals(EtcdError.LEADER_CHANGED, e.error());
    assertTrue(RaftErrors.retriableRead(e));
  }

  @Test
  void aStoppedMemberEndsTheRead() {
    EtcdException e = RaftErrors.ofReadIndex(new Status(RaftError.ENODESHUTDOWN, "Is stopped."));
    assertEquals(EtcdError.STOPPED, e.error());
    assertFalse(RaftErrors.retriableRead(e));
  }
}
