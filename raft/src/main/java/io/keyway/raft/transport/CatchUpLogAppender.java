package io.keyway.raft.transport;

import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis 3.2.2's gRPC log appender, made safe for a follower whose next entry the leader has
 * already purged.
 *
 * <p>In 3.2.2 the appender decides "install a snapshot?" and then builds the append request from
 * the follower's next index, which a reply thread may lower in between (a restarted follower
 * answers INCONSISTENCY with its old next index). Reading the purged entry throws, the appender's
 * daemon dies, and 3.2.2 does not restart it: the follower never catches up while that leader
 * lasts. Likewise, a follower whose next index is the first retained entry, with the entry before
 * it purged and not the snapshot's, fails the appender on a missing "previous". Ratis fixed both
 * after 3.2.2 (RATIS-2487, RATIS-2499); until a release carries them this appender skips such a
 * round and installs the snapshot on the next one.
 *
 * <p>It also keeps a follower from committing an entry the leader never sent. Ratis computes the
 * commit index an append may carry as {@code min(leaderCommit, previousIndex + entryCount)} and
 * takes index 0 as the "previous" of a request without one, on the leader and again on the
 * follower, which is one too high: a heartbeat without a previous (sent while data requests are in
 * flight, or to a follower whose next index is 0) tells the follower that its own index 0 is
 * committed, whatever it holds there. After a few elections at startup a follower can hold a
 * different, never-committed entry at index 0; it then commits and applies it, refuses the leader's
 * index 0 as "already committed", refuses index 1 for the mismatching previous, and the leader
 * alternates between next index 0 and 1 forever (still so in Ratis' master). Such a request here
 * carries at most the index of its own last entry as the leader's commit, -1 for a heartbeat.
 *
 * <p>And it tells a follower of a new commit index right away instead of at the next heartbeat
 * ({@link CommitPush}).
 */
final class CatchUpLogAppender extends GrpcLogAppender {
  private static final Logger LOG = LoggerFactory.getLogger(CatchUpLogAppender.class);

  private final CommitPush commitPush = new CommitPush();

  CatchUpLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
    super(server, state, follower);
  }

  @Override
  public SnapshotInfo shouldInstallSnapshot() {
    SnapshotInfo snapshot = super.shouldInstallSnapshot();
    if (snapshot != null) {
      return snapshot;
    }
    SnapshotInfo latest = getServer().getStateMachine().getLatestSnapshot();
    if (latest != null && getFollower().getNextIndex() < getRaftLog().getNextIndex() && lacksPrevious()) {
      return latest;
    }
    return null;
  }

  @Override
  public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
      throws RaftLogIOException {
    boolean carriesEntries = !heartbeat && getHeartbeatWaitTimeMs() > 0;
    if (carriesEntries && (followerNeedsPurgedEntries() || lacksPrevious())) {
      return null;
    }
    try {
      AppendEntriesRequestProto request = withoutForeignCommit(super.newAppendEntriesRequest(callId, heartbeat));
      if (request == null && carriesEntries) {
        request = commitPushRequest(callId);
      }
      if (request != null) {
        commitPush.sent(request.getLeaderCommit());
      }
      return request;
    } catch (RaftLogIOException e) {
      if (!followerNeedsPurgedEntries()) {
        throw e;
      }
      // the first entry read was purged: nothing was buffered, the next round installs a snapshot
      LOG.info("{}: follower {} needs purged entries from index {}; installing a snapshot instead",
          this, getFollower().getName(), getFollower().getNextIndex());
      return null;
    }
  }

  /**
   * An empty append carrying the leader's new commit index, when the follower would otherwise learn it only from
   * the next heartbeat (see {@link CommitPush}); null when none is due.
   */
  private AppendEntriesRequestProto commitPushRequest(long callId) throws RaftLogIOException {
    long commit = commitPushDue();
    if (commit == RaftLog.INVALID_LOG_INDEX) {
      return null;
    }
    commitPush.sent(commit); // at most once, whatever the request carries
    return withoutForeignCommit(super.newAppendEntriesRequest(callId, true));
  }

  private long commitPushDue() {
    FollowerInfo follower = getFollower();
    return commitPush.due(getRaftLog().getLastCommittedIndex(), follower.getNextIndex(), follower.getCommitIndex(),
        hasPendingDataRequests());
  }

  /**
   * Does not sleep while a commit push is due. Ratis wakes the appender after a commit, but a wake-up that comes
   * while the appender is busy (sending the previous request, say) is lost (3.2.2's AwaitForSignal keeps a signal
   * only for a thread already waiting), and the push would wait for the next heartbeat after all.
   */
  @Override
  public long getWaitTimeMs() {
    return commitPush.wakeFor(commitPushDue()) ? 0 : super.getWaitTimeMs();
  }

  /**
   * A request without a previous entry must not let the follower commit beyond the entries it
   * carries: the follower's log there may differ from the leader's until it takes them.
   */
  static AppendEntriesRequestProto withoutForeignCommit(AppendEntriesRequestProto request) {
    if (request == null || request.hasPreviousLog()) {
      return request;
    }
    int count = request.getEntriesCount();
    long lastCarried = count == 0 ? RaftLog.INVALID_LOG_INDEX : request.getEntries(count - 1).getIndex();
    if (request.getLeaderCommit() <= lastCarried) {
      return request;
    }
    return request.toBuilder().setLeaderCommit(lastCarried).build();
  }

  private boolean followerNeedsPurgedEntries() {
    long start = getRaftLog().getStartIndex();
    return start != RaftLog.INVALID_LOG_INDEX && getFollower().getNextIndex() < start;
  }

  /** True when an append from the follower's next index could not name its previous entry. */
  private boolean lacksPrevious() {
    FollowerInfo follower = getFollower();
    long next = follower.getNextIndex();
    if (next <= RaftLog.LEAST_VALID_LOG_INDEX || next == follower.getSnapshotIndex() + 1) {
      return false;
    }
    long previous = next - 1;
    if (getRaftLog().getTermIndex(previous) != null) {
      return false;
    }
    SnapshotInfo snapshot = getServer().getStateMachine().getLatestSnapshot();
    return snapshot == null || snapshot.getIndex() != previous;
  }
}
