package io.keyway.raft.transport;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * Holds a leader's answer to a follower's ReadIndex request until a majority of voters answered this leader's
 * AppendEntries sent after the request arrived ({@link LeaderHeartbeats}), as the leader's own linearizable reads
 * wait. Ratis 3.2.2 answers at once when it confirmed its commit index before, so a leader cut off from the majority
 * (which elected a new leader and committed more) gave a follower that still followed it its old commit index, and
 * the follower served a stale linearizable read.
 *
 * <p>Not confirmed within the server's request timeout, or no longer leading in the same term: the answer becomes
 * an unsuccessful one, which the follower treats as "no read index" and retries.
 */
final class ReadIndexLeadershipCheck implements ServerInterceptor {
  private static final String READ_INDEX = RaftServerProtocolServiceGrpc.getReadIndexMethod().getFullMethodName();
  private static final long POLL_MS = 2;
  private static final int REMARK_EVERY_POLLS = 100;
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "keyway-read-index-check");
    t.setDaemon(true);
    return t;
  });

  private volatile RaftServer server;

  /** The server whose answers this checks; set before its gRPC services start. */
  void attach(RaftServer server) {
    this.server = server;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                    ServerCallHandler<Q, R> next) {
    if (!READ_INDEX.equals(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    HeldAnswer<Q, R> held = new HeldAnswer<>(call);
    return new SimpleForwardingServerCallListener<>(next.startCall(held, headers)) {
      @Override
      public void onMessage(Q message) {
        held.arrived((ReadIndexRequestProto) message); // before Ratis takes its read index
        super.onMessage(message);
      }
    };
  }

  /** One ReadIndex call: its leadership marks, and the answer until they are confirmed. */
  private final class HeldAnswer<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private RaftServer.Division division;
    private LeaderHeartbeats.Marks marks;
    private long deadline;
    private R answer;
    private Status closeStatus;
    private Metadata closeTrailers;
    private boolean released;

    HeldAnswer(ServerCall<Q, R> call) {
      super(call);
    }

    synchronized void arrived(ReadIndexRequestProto request) {
      RaftServer s = server;
      if (s == null) {
        return;
      }
      try {
        division = s.getDivision(RaftGroupId.valueOf(request.getServerRequest().getRaftGroupId().getId()));
      } catch (IOException e) {
        return; // no such group here: Ratis answers that itself
      }
      if (division.getInfo().isLeader()) {
        marks = LeaderHeartbeats.of(division.getMemberId()).mark(division.getInfo().getCurrentTerm());
        deadline = System.nanoTime()
            + RaftServerConfigKeys.Rpc.requestTimeout(s.getProperties()).toLong(TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (marks != null && message instanceof ReadIndexReplyProto reply && reply.getServerReply().getSuccess()) {
        answer = message;
        TIMER.execute(() -> check(0));
        return;
      }
      super.sendMessage(message);
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (answer != null && !released) {
        closeStatus = status;
        closeTrailers = trailers;
        return;
      }
      super.close(status, trailers);
    }

    private void check(int polls) {
      boolean confirmed = LeaderHeartbeats.leadershipConfirmed(division, marks);
      boolean lost = !confirmed && (!LeaderHeartbeats.leadsIn(division, marks.term())
          || System.nanoTime() - deadline >= 0);
      if (confirmed || lost) {
        release(confirmed);
        return;
      }
      if (polls > 0 && polls % REMARK_EVERY_POLLS == 0) {
        // a replaced log appender never answers the old marks
        synchronized (this) {
          marks = LeaderHeartbeats.of(division.getMemberId()).mark(marks.term());
        }
      }
      TIMER.schedule(() -> check(polls + 1), POLL_MS, TimeUnit.MILLISECONDS);
    }

    @SuppressWarnings("unchecked")
    private synchronized void release(boolean confirmed) {
      released = true;
      if (confirmed) {
        super.sendMessage(answer);
      } else {
        ReadIndexReplyProto reply = (ReadIndexReplyProto) answer;
        super.sendMessage((R) reply.toBuilder()
            .setServerReply(reply.getServerReply().toBuilder().setSuccess(false))
            .build());
      }
      if (closeStatus != null) {
        super.close(closeStatus, closeTrailers);
      }
    }
  }
}
