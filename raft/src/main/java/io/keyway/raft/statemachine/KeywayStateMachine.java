package io.keyway.raft.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.api.raftpb.RaftRequestBatch;
import io.keyway.raft.storage.SwappableKvStore;
import io.keyway.store.KvStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed log entries to the store. Every state-machine entry is a {@link RaftRequestBatch} (group
 * commit); its requests are applied in order as parts 0, 1, 2... of the entry's index, then the entry is closed
 * with {@link KvStore#markApplied(long)}; an entry with a single request applies it for the whole entry.
 *
 * <p>Restart: Ratis replays the log from the latest snapshot, while the store usually is further ahead (it
 * persists its apply position with every write). Entries the store holds in full are skipped here; inside a
 * half-applied entry the store itself skips the parts it holds, so replay is idempotent. Reporting the store's
 * position to Ratis as a snapshot instead would be wrong: a snapshot must be shippable to followers, and only
 * checkpoints are.
 *
 * <p>Snapshots are store checkpoints ({@link CheckpointSnapshotStorage}), taken on the apply thread so no write
 * runs concurrently. An installed snapshot replaces the store's files when the store is behind it.
 *
 * <p>Apply runs synchronously inside {@link #applyTransaction} so that when Ratis advances the applied index
 * (and releases linearizable reads waiting for it) the store already shows the entry.
 *
 * <p>Leadership changes are passed on to {@link LeaderEvents} (the lessor runs its clocks on the leader only).
 */
public final class KeywayStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(KeywayStateMachine.class);
  private static final CompletableFuture<Message> APPLIED = CompletableFuture.completedFuture(Message.EMPTY);

  private final SwappableKvStore store;
  private final RequestApplier applier;
  private final ResultWaiters waiters;
  private final Executor completions;
  private final LeaderEvents leaderEvents;
  private final Function<Message, CompletableFuture<Message>> queries;
  private final CheckpointSnapshotStorage snapshots = new CheckpointSnapshotStorage();
  /** The last entry the store holds in full, as this thread last left it; only the apply thread touches it. */
  private long storeApplied;

  public KeywayStateMachine(SwappableKvStore store, RequestApplier applier, ResultWaiters waiters,
                            Executor completions) {
    this(store, applier, waiters, completions, LeaderEvents.NONE,
        q -> CompletableFuture.failedFuture(new IllegalArgumentException("no queries are served")));
  }

  /**
   * @param queries answers the non-empty read-only queries other members send to the leader (lease keep-alive
   *                and time-to-live); called on Ratis threads after a ReadIndex round, so it must not block
   */
  public KeywayStateMachine(SwappableKvStore store, RequestApplier applier, ResultWaiters waiters,
                            Executor completions, LeaderEvents leaderEvents,
                            Function<Message, CompletableFuture<Message>> queries) {
    this.store = store;
    this.applier = applier;
    this.waiters = waiters;
    this.completions = completions;
    this.leaderEvents = leaderEvents;
    this.queries = queries;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, raftStorage);
      snapshots.init(raftStorage);
      storeApplied = store.appliedIndex();
      FileListSnapshotInfo snapshot = snapshots.getLatestSnapshot();
      if (snapshot != null) {
        restoreIfBehind(snapshot);
        setLastAppliedTermIndex(snapshot.getTermIndex());
      }
      LOG.info("state machine initialized: snapshot={}, store applied through log index {}",
          snapshot == null ? "none" : snapshot.getTermIndex(), storeApplied);
    }, IOException.class);
  }

  /**
   * Ratis pauses the state machine before it installs a snapshot from the leader (once per received chunk),
   * then calls {@link #reinitialize}.
   */
  @Override
  public synchronized void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public synchronized void reinitialize() throws IOException {
    FileListSnapshotInfo snapshot = snapshots.reload();
    if (snapshot != null) {
      restoreIfBehind(snapshot);
      setLastAppliedTermIndex(snapshot.getTermIndex());
      LOG.info("state machine reloaded from snapshot {}, store applied through log index {}",
          snapshot.getTermIndex(), storeApplied);
    }
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  private void restoreIfBehind(FileListSnapshotInfo snapshot) throws IOException {
    if (storeApplied >= snapshot.getIndex()) {
      return;
    }
    Path dir = snapshots.latestDir();
    LOG.info("store applied through log index {} is behind snapshot {}: restoring the store from {}",
        storeApplied, snapshot.getTermIndex(), dir);
    store.restoreFrom(dir);
    storeApplied = store.appliedIndex();
  }

  @Override
  public CheckpointSnapshotStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    if (index > storeApplied) {
      applyBatch(index, decode(entry));
    }
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return APPLIED;
  }

  private void applyBatch(long index, RaftRequestBatch batch) {
    int count = batch.getRequestsCount();
    List<Runnable> local = null;
    for (int i = 0; i < count; i++) {
      RaftRequest request = batch.getRequests(i);
      // a lone request stands for the whole entry; the store skips parts it already holds after a crash
      int part = count == 1 ? KvStore.WHOLE_ENTRY : i;
      Object result;
      try {
        result = applier.apply(index, part, request);
      } catch (EtcdException e) {
        result = e;
      }
      ResultWaiters.Waiter waiter = waiters.claim(request.getId());
      if (waiter != null) {
        if (local == null) {
          local = new ArrayList<>();
        }
        Object r = result;
        local.add(() -> waiter.complete(r));
      }
    }
    markEntryApplied(index);
    if (local != null) {
      List<Runnable> completionsOfEntry = local;
      completions.execute(() -> completionsOfEntry.forEach(Runnable::run));
    }
  }

  private static RaftRequestBatch decode(LogEntryProto entry) {
    try {
      return RaftRequestBatch.parseFrom(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      // the log is checksummed, so this is a bug or a foreign log: applying around it would diverge
      throw new IllegalStateException("undecodable log entry " + entry.getIndex(), e);
    }
  }

  /** Raft's own entries (leader no-op, configuration, commit metadata) only advance the applied index. */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    markEntryApplied(index);
    super.notifyTermIndexUpdated(term, index);
  }

  private void markEntryApplied(long index) {
    if (index > storeApplied) {
      if (store.appliedIndex() < index) {
        store.markApplied(index);
      }
      storeApplied = index;
    }
  }

  /** Ratis calls this when the leader applies the first entry of its term, i.e. after all earlier entries. */
  @Override
  public void notifyLeaderReady() {
    leaderEvents.leaderReady();
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    if (newLeaderId == null || !newLeaderId.equals(groupMemberId.getPeerId())) {
      leaderEvents.notLeader();
    }
  }

  /** The leader steps down (the entries it had not committed are handed back). */
  @Override
  public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
    leaderEvents.notLeader();
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    FileListSnapshotInfo current = snapshots.getLatestSnapshot();
    if (current != null && current.getIndex() >= last.getIndex()) {
      return current.getIndex();
    }
    long started = System.nanoTime();
    Path tmp = snapshots.tempDir(last);
    store.checkpoint(tmp);
    snapshots.commit(tmp, last);
    LOG.info("snapshot {} taken in {} ms", last, (System.nanoTime() - started) / 1_000_000);
    return last.getIndex();
  }

  /**
   * Linearizable reads: Ratis calls this once the applied index reached the read index. A read barrier is an
   * empty query: the range itself runs afterwards on a read executor, so nothing is computed here and nothing
   * serialised. A non-empty query comes from another member and is answered by {@code queries}.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    if (request.getContent().isEmpty()) {
      return APPLIED;
    }
    try {
      return queries.apply(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
