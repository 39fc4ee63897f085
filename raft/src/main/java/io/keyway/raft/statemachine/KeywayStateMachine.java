package io.keyway.raft.statemachine;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.entity.RaftOutter.SnapshotMeta;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.api.raftpb.RaftRequestBatch;
import io.keyway.raft.storage.StoreDirs;
import io.keyway.raft.storage.SwappableKvStore;
import io.keyway.store.KvStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed log entries to the store (JRaft's state machine). Every entry is a {@link RaftRequestBatch}
 * (group commit); its requests are applied in order as parts 0, 1, 2... of the entry's index, then the entry is
 * closed with {@link KvStore#markApplied(long)}; an entry with a single request applies it for the whole entry.
 *
 * <p>Restart: JRaft replays the log from the latest snapshot, while the store usually is further ahead (it
 * persists its apply position with every write). Entries the store holds in full are skipped here; inside a
 * half-applied entry the store itself skips the parts it holds, so replay is idempotent. JRaft's own entries
 * (configuration, a new leader's first entry) never reach this class: the store's applied index stops at the
 * last data entry, so "applied through" for clients is JRaft's applied index.
 *
 * <p>Snapshots are store checkpoints (RocksDB, mostly hard links) in the {@code store} directory of JRaft's
 * snapshot, taken on the apply thread so no write runs concurrently; JRaft ships the files to members that fell
 * behind the log. A loaded snapshot replaces the store's files when the store is behind it.
 *
 * <p>Apply runs synchronously inside {@link #onApply} so that when JRaft advances the applied index (and releases
 * linearizable reads waiting for it) the store already shows the entry.
 */
public final class KeywayStateMachine extends StateMachineAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(KeywayStateMachine.class);
  private static final String STORE_DIR = "store";

  private final SwappableKvStore store;
  private final RequestApplier applier;
  private final ResultWaiters waiters;
  private final Executor completions;
  private final LeaderEvents leaderEvents;
  /** The highest term seen (JRaft offers no public getter); for response headers. */
  private final AtomicLong term = new AtomicLong();
  private volatile boolean leaderReady;
  private volatile long leaderSinceNanos;
  /** Called with the applied index after each batch (snapshot triggering). */
  private volatile LongConsumer afterApply = i -> {};
  /** The last entry the store holds in full, as this thread last left it; only the apply thread touches it. */
  private long storeApplied;

  public KeywayStateMachine(SwappableKvStore store, RequestApplier applier, ResultWaiters waiters,
                            Executor completions, LeaderEvents leaderEvents) {
    this.store = store;
    this.applier = applier;
    this.waiters = waiters;
    this.completions = completions;
    this.leaderEvents = leaderEvents;
    this.storeApplied = store.appliedIndex();
  }

  public long term() {
    return term.get();
  }

  /** This member leads and applied the first entry of its term. */
  public boolean leaderReady() {
    return leaderReady;
  }

  /** How long this member has been a ready leader (0 when it is not). */
  public long leaderElapsedMs() {
    return leaderReady ? (System.nanoTime() - leaderSinceNanos) / 1_000_000 : 0;
  }

  public void afterApply(LongConsumer action) {
    this.afterApply = action;
  }

  @Override
  public void onApply(Iterator it) {
    long last = 0;
    while (it.hasNext()) {
      long index = it.getIndex();
      term.accumulateAndGet(it.getTerm(), Math::max);
      ByteBuffer data = it.getData();
      if (index > storeApplied && data != null && data.hasRemaining()) {
        applyBatch(index, decode(index, data));
      } else {
        markEntryApplied(index);
      }
      Closure done = it.done();
      if (done != null) {
        done.run(Status.OK());
      }
      last = index;
      it.next();
    }
    if (last > 0) {
      afterApply.accept(last);
    }
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

  private static RaftRequestBatch decode(long index, ByteBuffer data) {
    try {
      return RaftRequestBatch.parseFrom(data.duplicate());
    } catch (InvalidProtocolBufferException e) {
      // the log is checksummed, so this is a bug or a foreign log: applying around it would diverge
      throw new IllegalStateException("undecodable log entry " + index, e);
    }
  }

  private void markEntryApplied(long index) {
    if (index > storeApplied) {
      if (store.appliedIndex() < index) {
        store.markApplied(index);
      }
      storeApplied = index;
    }
  }

  /** JRaft calls this once the leader's first entry of its term is applied, i.e. after all earlier entries. */
  @Override
  public void onLeaderStart(long term) {
    this.term.accumulateAndGet(term, Math::max);
    leaderSinceNanos = System.nanoTime();
    leaderReady = true;
    leaderEvents.leaderReady();
  }

  @Override
  public void onLeaderStop(Status status) {
    leaderReady = false;
    leaderEvents.notLeader();
  }

  @Override
  public void onStartFollowing(LeaderChangeContext ctx) {
    term.accumulateAndGet(ctx.getTerm(), Math::max);
    leaderReady = false;
    leaderEvents.notLeader();
  }

  @Override
  public void onStopFollowing(LeaderChangeContext ctx) {
    term.accumulateAndGet(ctx.getTerm(), Math::max);
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    long started = System.nanoTime();
    try {
      Path dir = Path.of(writer.getPath(), STORE_DIR);
      StoreDirs.deleteRecursively(dir);
      store.checkpoint(dir);
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (Files.isRegularFile(f)) {
            writer.addFile(Path.of(writer.getPath()).relativize(f).toString());
          }
        }
      }
      LOG.info("snapshot through log index {} taken in {} ms", storeApplied,
          (System.nanoTime() - started) / 1_000_000);
      done.run(Status.OK());
    } catch (IOException | RuntimeException e) {
      LOG.error("taking a snapshot failed", e);
      done.run(new Status(RaftError.EIO, "snapshot failed: %s", e.toString()));
    }
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    SnapshotMeta meta = reader.load();
    if (meta == null) {
      LOG.error("snapshot without meta in {}", reader.getPath());
      return false;
    }
    long index = meta.getLastIncludedIndex();
    term.accumulateAndGet(meta.getLastIncludedTerm(), Math::max);
    if (store.appliedIndex() >= index) {
      storeApplied = Math.max(storeApplied, store.appliedIndex());
      LOG.info("snapshot through {}: the store already holds it (applied through {})", index, storeApplied);
      return true;
    }
    try {
      Path dir = Path.of(reader.getPath(), STORE_DIR);
      LOG.info("store applied through log index {} is behind snapshot {}: restoring the store from {}",
          store.appliedIndex(), index, dir);
      store.restoreFrom(dir);
      storeApplied = store.appliedIndex();
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.error("loading snapshot {} failed", index, e);
      return false;
    }
  }

  @Override
  public void onError(RaftException e) {
    LOG.error("Raft stopped this member's state machine: {}", e.getStatus(), e);
  }
}
