package io.keyway.raft.transport;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/** Ratis' gRPC factory whose leaders replicate through {@link CatchUpLogAppender}. */
final class KeywayGrpcFactory extends GrpcFactory {
  KeywayGrpcFactory(Parameters parameters) {
    super(parameters);
  }

  @Override
  public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
    return new CatchUpLogAppender(server, state, follower);
  }
}
