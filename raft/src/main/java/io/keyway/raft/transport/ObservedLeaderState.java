package io.keyway.raft.transport;

import java.util.List;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.protocol.TermIndex;

/** The leader's state as an appender sees it, reporting each AppendEntries reply to {@link LeaderHeartbeats}. */
final class ObservedLeaderState implements LeaderState {
  private final LeaderState delegate;
  private final LeaderHeartbeats heartbeats;

  ObservedLeaderState(LeaderState delegate, LeaderHeartbeats heartbeats) {
    this.delegate = delegate;
    this.heartbeats = heartbeats;
  }

  @Override
  public void onAppendEntriesReply(LogAppender appender, AppendEntriesReplyProto reply) {
    heartbeats.onReply(appender, reply);
    delegate.onAppendEntriesReply(appender, reply);
  }

  @Override
  public void restart(LogAppender appender) {
    delegate.restart(appender);
  }

  @Override
  public AppendEntriesRequestProto newAppendEntriesRequestProto(FollowerInfo follower, List<LogEntryProto> entries,
                                                                TermIndex previous, long callId) {
    return delegate.newAppendEntriesRequestProto(follower, entries, previous, callId);
  }

  @Override
  public void checkHealth(FollowerInfo follower) {
    delegate.checkHealth(follower);
  }

  @Override
  public boolean onFollowerTerm(FollowerInfo follower, long followerTerm) {
    return delegate.onFollowerTerm(follower, followerTerm);
  }

  @Override
  public void onFollowerCommitIndex(FollowerInfo follower, long commitIndex) {
    delegate.onFollowerCommitIndex(follower, commitIndex);
  }

  @Override
  public void onFollowerSuccessAppendEntries(FollowerInfo follower) {
    delegate.onFollowerSuccessAppendEntries(follower);
  }

  @Override
  public boolean isFollowerBootstrapping(FollowerInfo follower) {
    return delegate.isFollowerBootstrapping(follower);
  }
}
