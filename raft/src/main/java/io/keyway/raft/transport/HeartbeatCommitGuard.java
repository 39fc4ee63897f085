package io.keyway.raft.transport;

import java.io.IOException;
import java.util.function.LongFunction;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;

/**
 * Lets an AppendEntries without entries (a heartbeat) raise a follower's commit index only through a previous entry
 * that the follower's log holds.
 *
 * <p>Ratis 3.2.2 accepts a request's previous entry also when an earlier append that carries it was accepted but is
 * still queued (append-entries compose), and a heartbeat, having nothing to append itself, then commits up to that
 * previous at once (bounded only by the flushed index). If the queued append is the one that replaces the
 * follower's own uncommitted tail (a deposed leader's, say), the follower commits and applies its old entries
 * before they are replaced: a write the cluster never committed, at a revision where the others applied another.
 * A leader sends such a heartbeat whenever it stopped counting on an append still queued on the follower (the
 * append timed out, or an INCONSISTENCY or stream error made it forget what was in flight) while its next index
 * for the follower already points past it. Still so in Ratis' master.
 *
 * <p>Such a heartbeat here carries no leader commit (-1): it keeps the follower's term and leader, and the follower
 * learns the commit from the queued append itself or from a later request. Appends with entries are left alone:
 * the follower updates its commit only after their own entries (queued behind the earlier ones) are in its log.
 */
final class HeartbeatCommitGuard implements ServerInterceptor {
  private static final String APPEND_ENTRIES =
      RaftServerProtocolServiceGrpc.getAppendEntriesMethod().getFullMethodName();

  private volatile RaftServer server;

  /** The server whose requests this guards; set before its gRPC services start. */
  void attach(RaftServer server) {
    this.server = server;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                    ServerCallHandler<Q, R> next) {
    if (!APPEND_ENTRIES.equals(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      @Override
      @SuppressWarnings("unchecked")
      public void onMessage(Q message) {
        super.onMessage((Q) guard((AppendEntriesRequestProto) message));
      }
    };
  }

  private AppendEntriesRequestProto guard(AppendEntriesRequestProto request) {
    RaftServer s = server;
    if (s == null || request.getEntriesCount() > 0 || request.getLeaderCommit() <= RaftLog.INVALID_LOG_INDEX) {
      return request;
    }
    RaftLog log;
    try {
      log = s.getDivision(RaftGroupId.valueOf(request.getServerRequest().getRaftGroupId().getId())).getRaftLog();
    } catch (IOException e) {
      return request; // no such group here: Ratis answers that itself
    }
    return withVerifiedCommit(request, log::getTermIndex);
  }

  /**
   * {@code request}, or, for a heartbeat whose previous entry {@code log} does not hold (absent, another term, or
   * no previous at all), the same request without a leader commit.
   */
  static AppendEntriesRequestProto withVerifiedCommit(AppendEntriesRequestProto request,
                                                      LongFunction<TermIndex> log) {
    if (request.getEntriesCount() > 0 || request.getLeaderCommit() <= RaftLog.INVALID_LOG_INDEX) {
      return request;
    }
    if (request.hasPreviousLog()) {
      TermIndex previous = TermIndex.valueOf(request.getPreviousLog());
      if (previous.equals(log.apply(previous.getIndex()))) {
        return request;
      }
    }
    return request.toBuilder().setLeaderCommit(RaftLog.INVALID_LOG_INDEX).build();
  }
}
