package io.keyway.raft.transport;

import org.apache.ratis.server.raftlog.RaftLog;

/**
 * When a leader's appender should send a follower an empty AppendEntries only to tell it a new commit index.
 *
 * <p>Ratis 3.2.2 wakes the appenders after every commit but sends nothing when there are no new entries, so a
 * follower hears of a commit only with the next heartbeat, half an election timeout later. A member answers a write
 * forwarded through it once it applied the write itself (read-your-writes on that member, as etcd gives), so every
 * write through a follower waited for that heartbeat: ~500 ms. etcd's leader instead broadcasts an append as soon as
 * its commit index moves; this is the same rule, for one follower.
 *
 * <p>A push is due when the follower holds entries it does not know to be committed and nothing in flight will tell
 * it: no append with entries outstanding (its reply wakes the appender again, and a heartbeat sent meanwhile would
 * carry no previous entry and so no commit), and no push of this commit index already sent. Each commit index is
 * pushed at most once per follower, so replies that do not move the follower's commit (a lost push, say) cannot
 * make the appender ping-pong; the regular heartbeat remains the fallback.
 *
 * <p>Used by the appender's own thread only.
 */
final class CommitPush {
  private long pushed = RaftLog.INVALID_LOG_INDEX;
  private long wokenFor = RaftLog.INVALID_LOG_INDEX;

  /**
   * @param leaderCommit the leader's commit index
   * @param followerNext the next index the leader will send the follower (it holds everything before)
   * @param followerCommit the commit index the follower last reported
   * @param dataInFlight whether an append with entries to this follower is still unanswered
   * @return the commit index to push, or {@link RaftLog#INVALID_LOG_INDEX} when no push is due
   */
  long due(long leaderCommit, long followerNext, long followerCommit, boolean dataInFlight) {
    if (dataInFlight) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    // a heartbeat lets the follower commit up to its previous entry, the one before followerNext
    long reachable = Math.min(leaderCommit, followerNext - 1);
    if (reachable <= followerCommit || reachable <= pushed) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    return reachable;
  }

  /**
   * Whether the appender should skip its next wait to push {@code due} (a result of {@link #due}): once per commit
   * index, so an appender that cannot send the push (a follower needing a snapshot, say) does not spin.
   */
  boolean wakeFor(long due) {
    if (due == RaftLog.INVALID_LOG_INDEX || due <= wokenFor) {
      return false;
    }
    wokenFor = due;
    return true;
  }

  /** A request carrying {@code commit} to the follower is being sent. */
  void sent(long commit) {
    pushed = Math.max(pushed, commit);
  }
}
