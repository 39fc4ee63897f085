package io.keyway.raft.transport;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' gRPC factory whose leaders replicate through {@link CatchUpLogAppender} and report the followers'
 * answers to {@link LeaderHeartbeats}.
 */
final class KeywayGrpcFactory extends GrpcFactory {
  KeywayGrpcFactory(Parameters parameters) {
    super(parameters);
  }

  @Override
  public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
    LeaderHeartbeats heartbeats = LeaderHeartbeats.of(server.getMemberId());
    LogAppender appender = new CatchUpLogAppender(server, new ObservedLeaderState(state, heartbeats), follower);
    heartbeats.register(appender, server.getInfo().getCurrentTerm());
    return appender;
  }
}
