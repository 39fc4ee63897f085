package io.keyway.raft.transport;

import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Un-wedges a follower whose Raft log appends all fail after one failed.
 *
 * <p>Ratis 3.2.2 chains a follower's log appends (append-entries compose, on by default) as
 * {@code future = future.thenComposeAsync(append)}. Once one append fails, every later stage inherits the failure
 * without running: the follower refuses every AppendEntries from then on, with the same exception, until it
 * restarts. One failure is enough, and appends do fail when two AppendEntries are handled at once (the chain is
 * extended with {@code AtomicReference.updateAndGet}, whose function may run twice under contention, appending the
 * same entries twice in parallel; the log then reports "Already running a method by ..." or "Difference between
 * entry index and RaftLog's last index"). Seen after a network partition healed: a member answered every
 * append of the new leader with the same "Already running a method by server-thread2" for minutes (LinearizabilityIT
 * with {@code -Djepsen.partitions=true}, seed 2). Still so in Ratis' master.
 *
 * <p>This replaces a failed chain by a completed one, so that the next append runs; the leader resends what failed
 * (the follower's log checks, as always, that it continues its previous entry).
 */
public final class AppendChainRepair {
  private static final Logger LOG = LoggerFactory.getLogger(AppendChainRepair.class);
  private static final long CHECK_MS = 200;

  private final String member;
  private final AtomicReference<CompletableFuture<Void>> chain;

  private AppendChainRepair(String member, AtomicReference<CompletableFuture<Void>> chain) {
    this.member = member;
    this.chain = chain;
  }

  /** Checks {@code division}'s append chain now and then; null when Ratis has none (compose disabled). */
  public static ScheduledFuture<?> start(RaftServer.Division division, ScheduledExecutorService timer) {
    AtomicReference<CompletableFuture<Void>> chain = chainOf(division);
    if (chain == null) {
      return null;
    }
    AppendChainRepair repair = new AppendChainRepair(division.getMemberId().toString(), chain);
    return timer.scheduleWithFixedDelay(repair::repairIfFailed, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
  }

  /** Replaces the chain when it failed; true when it did. */
  boolean repairIfFailed() {
    CompletableFuture<Void> current = chain.get();
    if (!current.isCompletedExceptionally()) {
      return false;
    }
    if (chain.compareAndSet(current, CompletableFuture.completedFuture(null))) {
      Throwable cause = current.handle((v, t) -> t).join();
      LOG.warn("{}: the follower's log append chain had failed ({}); reset so that appends run again", member,
          cause);
      return true;
    }
    return false;
  }

  /** Ratis' private {@code RaftServerImpl.appendLogTermIndices.future}, or null. */
  @SuppressWarnings("unchecked")
  public static AtomicReference<CompletableFuture<Void>> chainOf(RaftServer.Division division) {
    try {
      Field indicesField = division.getClass().getDeclaredField("appendLogTermIndices");
      indicesField.setAccessible(true);
      Object indices = indicesField.get(division);
      if (indices == null) {
        return null;
      }
      Field futureField = indices.getClass().getDeclaredField("future");
      futureField.setAccessible(true);
      return (AtomicReference<CompletableFuture<Void>>) futureField.get(indices);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot watch the follower's log append chain (Ratis changed?): {}", e.toString());
      return null;
    }
  }

  static AppendChainRepair forTest(AtomicReference<CompletableFuture<Void>> chain) {
    return new AppendChainRepair("test", chain);
  }
}
