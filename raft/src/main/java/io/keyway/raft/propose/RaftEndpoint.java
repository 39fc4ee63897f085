package io.keyway.raft.propose;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.ReadOnlyOption;
import com.alipay.sofa.jraft.util.Endpoint;
import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.raft.statemachine.KeywayStateMachine;
import io.keyway.raft.transport.PeerRpc;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * How this member talks to its Raft group: {@code Node.apply} when it leads, a forwarded call to the leader
 * ({@link PeerRpc}) when it follows; ReadIndex through {@code Node.readIndex} (ReadOnlySafe: the leader confirms
 * its leadership with a heartbeat round, on followers too, so a deposed leader never answers).
 *
 * <p>Futures complete on JRaft or Bolt threads: continue with an *Async method.
 */
public final class RaftEndpoint implements AutoCloseable {
  /**
   * Call kinds on the peer port: lease and cluster queries use 1..19 (see LeaseQueries and ClusterQueries) and
   * are answered after a ReadIndex round; kinds from {@link #LOCAL_QUERIES} on are answered from local state.
   */
  public static final byte WRITE = 20;
  public static final byte IDENT = 21;
  public static final byte LOCAL_QUERIES = 30;

  private final Node node;
  private final KeywayStateMachine stateMachine;
  private final PeerRpc rpc;
  private final String groupId;
  private final long callTimeoutMs;

  public RaftEndpoint(Node node, KeywayStateMachine stateMachine, PeerRpc rpc, String groupId, long callTimeoutMs) {
    this.node = node;
    this.stateMachine = stateMachine;
    this.rpc = rpc;
    this.groupId = groupId;
    this.callTimeoutMs = callTimeoutMs;
  }

  public Node node() {
    return node;
  }

  public PeerRpc rpc() {
    return rpc;
  }

  public String groupId() {
    return groupId;
  }

  public boolean isLeader() {
    return node.isLeader();
  }

  /** Leads and applied the first entry of its term. */
  public boolean leaderReady() {
    return node.isLeader() && stateMachine.leaderReady();
  }

  /** How long this member has been a ready leader (0 when it is not). */
  public long leaderElapsedMs() {
    return node.isLeader() ? stateMachine.leaderElapsedMs() : 0;
  }

  /** A leader is known (this member or another). */
  public boolean leaderKnown() {
    return node.isLeader() || leader() != null;
  }

  public PeerId leader() {
    PeerId p = node.getLeaderId();
    return p == null || p.isEmpty() ? null : p;
  }

  public long term() {
    return stateMachine.term();
  }

  public long commitIndex() {
    return node.getLastCommittedIndex();
  }

  public long appliedIndex() {
    return node.getLastAppliedLogIndex();
  }

  public long lastLogIndex() {
    return node.getLastLogIndex();
  }

  /**
   * Appends a state-machine entry; completes after it is committed and applied on the leader. On a follower
   * the write goes to the leader, and its own apply completes the local waiters.
   */
  public CompletableFuture<Void> write(byte[] entry) {
    if (node.isLeader()) {
      return applyHere(entry);
    }
    PeerId leader = leader();
    if (leader == null) {
      return CompletableFuture.failedFuture(new RaftErrors.Rejected(EtcdError.NO_LEADER, "no leader"));
    }
    return rpc.call(leader.getEndpoint(), WRITE, ByteString.copyFrom(entry), callTimeoutMs).thenApply(b -> null);
  }

  private CompletableFuture<Void> applyHere(byte[] entry) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    node.apply(new Task(ByteBuffer.wrap(entry), status -> {
      if (status.isOk()) {
        done.complete(null);
      } else {
        done.completeExceptionally(RaftErrors.ofApply(status));
      }
    }));
    return done;
  }

  /** ReadIndex: completes once this member applied everything committed when the read arrived. */
  public CompletableFuture<Void> readIndex() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    node.readIndex(ReadOnlyOption.ReadOnlySafe, new byte[0], new ReadIndexClosure(callTimeoutMs) {
      @Override
      public void run(Status status, long index, byte[] reqCtx) {
        if (status.isOk()) {
          done.complete(null);
        } else {
          done.completeExceptionally(RaftErrors.ofReadIndex(status));
        }
      }
    });
    return done;
  }

  /** Asks the leader a question (lease and cluster queries); it answers after a ReadIndex round there. */
  public CompletableFuture<ByteString> queryLeader(byte kind, ByteString body) {
    PeerId leader = leader();
    if (node.isLeader()) {
      leader = node.getNodeId().getPeerId();
    }
    if (leader == null) {
      return CompletableFuture.failedFuture(EtcdError.NO_LEADER.exception());
    }
    return rpc.call(leader.getEndpoint(), kind, body, callTimeoutMs);
  }

  /** Asks {@code to} a question directly (joining members, identity checks). */
  public CompletableFuture<ByteString> call(Endpoint to, byte kind, ByteString body) {
    return rpc.call(to, kind, body, callTimeoutMs);
  }

  /**
   * The peer port's handler: forwarded writes (applied here if this member leads), this member's group id, and
   * {@code queries} answered after a ReadIndex round.
   */
  public PeerRpc.Handler handler(BiFunction<Byte, ByteString, CompletableFuture<ByteString>> queries,
      Executor executor) {
    return (kind, body) -> switch (kind) {
      case WRITE -> forwardedWrite(body);
      case IDENT -> CompletableFuture.completedFuture(ByteString.copyFromUtf8(groupId));
      default -> kind >= LOCAL_QUERIES ? queries.apply(kind, body)
          : readIndex().thenComposeAsync(v -> queries.apply(kind, body), executor);
    };
  }

  private CompletableFuture<ByteString> forwardedWrite(ByteString body) {
    if (!node.isLeader()) {
      return CompletableFuture.failedFuture(new RaftErrors.Rejected(EtcdError.NO_LEADER, "not the leader"));
    }
    return applyHere(body.toByteArray()).thenApply(v -> {
      // the follower answers its client once it applied the entry itself: a ReadIndex round sends every
      // follower a heartbeat with the new commit index now instead of at the next heartbeat period
      node.readIndex(ReadOnlyOption.ReadOnlySafe, new byte[0], new ReadIndexClosure(callTimeoutMs) {
        @Override
        public void run(Status status, long index, byte[] reqCtx) {
          // only the heartbeats matter
        }
      });
      return ByteString.EMPTY;
    });
  }

  @Override
  public void close() {
    rpc.close();
  }
}
