package io.keyway.raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** When a leader tells a follower of a new commit index at once rather than at the next heartbeat. */
class CommitPushTest {
  private static final long NONE = -1;
  private final CommitPush push = new CommitPush();

  @Test
  void aFollowerHoldingNewlyCommittedEntriesIsToldAtOnce() {
    // the follower holds 1..10 (next 11) and knows 9 committed; the leader committed 10
    assertEquals(10, push.due(10, 11, 9, false));
  }

  @Test
  void onlyUpToWhatTheFollowerHolds() {
    // an empty append names the follower's last entry as previous: it can commit no further
    assertEquals(8, push.due(10, 9, 5, false));
  }

  @Test
  void nothingWhenTheFollowerAlreadyKnows() {
    assertEquals(NONE, push.due(10, 11, 10, false));
    assertEquals(NONE, push.due(7, 11, 9, false), "a new leader may be behind its followers' commit");
  }

  @Test
  void nothingWhileEntriesAreInFlight() {
    // their reply wakes the appender again; a heartbeat sent meanwhile carries no previous and so no commit
    assertEquals(NONE, push.due(10, 11, 9, true));
  }

  @Test
  void eachCommitIndexIsPushedOnce() {
    long commit = push.due(10, 11, 9, false);
    push.sent(commit);
    // the follower has not answered yet, or the push was lost: the heartbeat will tell it
    assertEquals(NONE, push.due(10, 11, 9, false));
    assertEquals(12, push.due(12, 13, 9, false), "a later commit is pushed again");
  }

  @Test
  void anAppendCarryingTheCommitMakesThePushRedundant() {
    push.sent(10); // an append with entries, sent with leader commit 10
    assertEquals(NONE, push.due(10, 11, 9, false));
  }

  @Test
  void theAppenderSkipsItsWaitOncePerCommitIndex() {
    // a wake-up Ratis lost must not delay the push to the next heartbeat, nor may an unsendable push spin
    assertEquals(true, push.wakeFor(10));
    assertEquals(false, push.wakeFor(10));
    assertEquals(false, push.wakeFor(NONE));
    assertEquals(true, push.wakeFor(11));
  }
}
