package io.keyway.raft.transport;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' gRPC factory whose leaders replicate through {@link CatchUpLogAppender} and report the followers'
 * answers to {@link LeaderHeartbeats}, whose servers confirm leadership before answering a follower's
 * ReadIndex ({@link ReadIndexLeadershipCheck}), and whose followers commit through a heartbeat only what their
 * log holds ({@link HeartbeatCommitGuard}).
 */
final class KeywayGrpcFactory extends GrpcFactory {
  private final ReadIndexLeadershipCheck readIndexCheck;
  private final HeartbeatCommitGuard heartbeatGuard;

  KeywayGrpcFactory(Parameters parameters) {
    this(parameters != null ? parameters : new Parameters(), new ReadIndexLeadershipCheck(),
        new HeartbeatCommitGuard());
  }

  private KeywayGrpcFactory(Parameters parameters, ReadIndexLeadershipCheck readIndexCheck,
                            HeartbeatCommitGuard heartbeatGuard) {
    super(withInterceptors(parameters, readIndexCheck, heartbeatGuard));
    this.readIndexCheck = readIndexCheck;
    this.heartbeatGuard = heartbeatGuard;
  }

  private static Parameters withInterceptors(Parameters parameters, ReadIndexLeadershipCheck check,
                                             HeartbeatCommitGuard guard) {
    GrpcServices.Customizer before = GrpcConfigKeys.Server.servicesCustomizer(parameters);
    GrpcConfigKeys.Server.setServicesCustomizer(parameters, (builder, types) -> {
      var customized = before != null ? before.customize(builder, types) : builder;
      return types.contains(GrpcServices.Type.SERVER) ? customized.intercept(check).intercept(guard) : customized;
    });
    return parameters;
  }

  @Override
  public GrpcServices newRaftServerRpc(RaftServer server) {
    readIndexCheck.attach(server);
    heartbeatGuard.attach(server);
    return super.newRaftServerRpc(server);
  }

  @Override
  public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
    LeaderHeartbeats heartbeats = LeaderHeartbeats.of(server.getMemberId());
    LogAppender appender = new CatchUpLogAppender(server, new ObservedLeaderState(state, heartbeats), follower);
    heartbeats.register(appender, server.getInfo().getCurrentTerm());
    return appender;
  }
}
