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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
  /** How often a follower asks for a heartbeat while a write it forwarded is committed but not applied here. */
  private static final long NUDGE_EVERY_MS = 5;

  private final ScheduledExecutorService timers;
  private final long nudgeForMs;
  private final AtomicLong awaitedCommit = new AtomicLong();
  private final AtomicBoolean nudging = new AtomicBoolean();
  private volatile long nudgeDeadline;

  /** JRaft's node answers nothing before its init: until then this member is one without a leader. */
  private volatile boolean started;

  /**
   * @param timers runs a follower's requests for a heartbeat (see {@link #nudgeUntilApplied})
   * @param heartbeatIntervalMs the leader's heartbeat period: a follower stops asking after two of them
   */
  public RaftEndpoint(Node node, KeywayStateMachine stateMachine, PeerRpc rpc, String groupId, long callTimeoutMs,
      ScheduledExecutorService timers, long heartbeatIntervalMs) {
    this.node = node;
    this.stateMachine = stateMachine;
    this.rpc = rpc;
    this.groupId = groupId;
    this.callTimeoutMs = callTimeoutMs;
    this.timers = timers;
    this.nudgeForMs = 2 * Math.max(1, heartbeatIntervalMs);
  }

  /** The JRaft node was initialised: from now on it is asked. */
  public void markStarted() {
    started = true;
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
    return started && node.isLeader();
  }

  /** Leads and applied the first entry of its term. */
  public boolean leaderReady() {
    return isLeader() && stateMachine.leaderReady();
  }

  /** How long this member has been a ready leader (0 when it is not). */
  public long leaderElapsedMs() {
    return isLeader() ? stateMachine.leaderElapsedMs() : 0;
  }

  /** A leader is known (this member or another). */
  public boolean leaderKnown() {
    return isLeader() || leader() != null;
  }

  public PeerId leader() {
    if (!started) {
      return null;
    }
    PeerId p = node.getLeaderId();
    return p == null || p.isEmpty() ? null : p;
  }

  public long term() {
    return stateMachine.term();
  }

  public long commitIndex() {
    return started ? node.getLastCommittedIndex() : 0;
  }

  public long appliedIndex() {
    return started ? node.getLastAppliedLogIndex() : 0;
  }

  public long lastLogIndex() {
    return started ? node.getLastLogIndex() : 0;
  }

  /**
   * Appends a state-machine entry; completes after it is committed and applied on the leader. On a follower
   * the write goes to the leader, and its own apply completes the local waiters.
   */
  public CompletableFuture<Void> write(byte[] entry) {
    if (isLeader()) {
      return applyHere(entry);
    }
    PeerId leader = leader();
    if (leader == null) {
      return CompletableFuture.failedFuture(new RaftErrors.Rejected(EtcdError.NO_LEADER, "no leader"));
    }
    return rpc.call(leader.getEndpoint(), WRITE, ByteString.copyFrom(entry), callTimeoutMs).thenApply(answer -> {
      if (answer.size() == Long.BYTES) {
        nudgeUntilApplied(answer.asReadOnlyByteBuffer().getLong());
      }
      return null;
    });
  }

  /**
   * The leader pushes the commit of a forwarded write with a heartbeat round (see {@link #forwardedWrite}), but a
   * follower that had not appended the entry yet when that heartbeat came cannot take its commit index (JRaft's
   * follower refuses a heartbeat whose previous entry it does not hold), and its caller, answered on the local
   * apply, would wait for the next heartbeat. So, until it applied what the leader had committed, the follower
   * asks for a ReadIndex round every few milliseconds: each one makes the leader heartbeat every follower. One
   * loop serves all the writes in flight.
   */
  private void nudgeUntilApplied(long committed) {
    awaitedCommit.accumulateAndGet(committed, Math::max);
    nudgeDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nudgeForMs);
    if (started && node.getLastAppliedLogIndex() < committed && nudging.compareAndSet(false, true)) {
      // at once: the leader's push went out before this answer, and was refused if it came before the entry
      nudge();
    }
  }

  private void scheduleNudge() {
    try {
      timers.schedule(this::nudge, NUDGE_EVERY_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      nudging.set(false); // shutting down
    }
  }

  private boolean behind() {
    return started && node.getLastAppliedLogIndex() < awaitedCommit.get() && System.nanoTime() < nudgeDeadline;
  }

  private void nudge() {
    if (!behind()) {
      nudging.set(false);
      // a write answered between the check and the reset raised the mark: keep going for it
      if (behind() && nudging.compareAndSet(false, true)) {
        scheduleNudge();
      }
      return;
    }
    heartbeatRound();
    scheduleNudge();
  }

  /**
   * A ReadIndex round whose answer nobody reads: it makes the leader heartbeat every follower, and heartbeats
   * carry the commit index.
   */
  private void heartbeatRound() {
    node.readIndex(ReadOnlyOption.ReadOnlySafe, new byte[0], new ReadIndexClosure(callTimeoutMs) {
      @Override
      public void run(Status status, long index, byte[] reqCtx) {
        // only the heartbeats matter
      }
    });
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
    if (!started) {
      return CompletableFuture.failedFuture(new RaftErrors.Rejected(EtcdError.NO_LEADER, "raft not started"));
    }
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
    if (isLeader()) {
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
    if (!isLeader()) {
      return CompletableFuture.failedFuture(new RaftErrors.Rejected(EtcdError.NO_LEADER, "not the leader"));
    }
    return applyHere(body.toByteArray()).thenApply(v -> {
      // the follower answers its client once it applied the entry itself: a ReadIndex round sends every
      // follower a heartbeat with the new commit index now instead of at the next heartbeat period
      heartbeatRound();
      // the commit index covers the entry (its closure runs once it is applied, before JRaft moves its applied
      // index past the batch): the follower knows what it must apply
      return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(node.getLastCommittedIndex()).flip());
    });
  }

  @Override
  public void close() {
    rpc.close();
  }
}
