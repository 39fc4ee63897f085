package io.keyway.raft.propose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.Test;

/** How transport failures towards the leader reach clients: as etcd's retryable errors, never as a 500. */
class RatisErrorsTest {

  @Test
  void leaderKilledDuringAReadIndexCallIsRetriedAndTimesOutLikeEtcd() {
    // seen in LinearizabilityIT: a follower's ReadIndex to a leader killed by kill -9
    Throwable closed = new CompletionException(Status.UNKNOWN.withDescription("channel closed").asRuntimeException());
    assertTrue(RatisErrors.retriableRead(closed));
    assertEquals(EtcdError.TIMEOUT.exception().getMessage(), RatisErrors.toEtcd(closed).getMessage());
  }

  @Test
  void cancelledAndUnavailableCallsAreUnreachableLeaders() {
    for (Status s : new Status[] {Status.CANCELLED, Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED}) {
      Throwable t = new IOException(s.asRuntimeException());
      assertTrue(RatisErrors.retriableRead(t), s::toString);
      assertEquals(EtcdError.TIMEOUT.exception().getMessage(), RatisErrors.toEtcd(t).getMessage(), s::toString);
    }
  }

  @Test
  void otherUnknownStatusesStayUnknown() {
    Throwable other = Status.UNKNOWN.withDescription("boom").asRuntimeException();
    assertFalse(RatisErrors.retriableRead(other));
  }

  @Test
  void aReadThatTimedOutWaitingForItsIndexIsEtcdsTimeout() {
    // seen in ClusterMembershipIT: a member that could not apply up to its read index in time
    Throwable t = new CompletionException(new org.apache.ratis.protocol.exceptions.ReadException(
        "Read timeout 7000ms for index 654"));
    assertEquals(EtcdError.TIMEOUT.exception().getMessage(), RatisErrors.toEtcd(t).getMessage());
  }
}
