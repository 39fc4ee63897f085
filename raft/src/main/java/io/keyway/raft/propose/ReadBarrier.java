package io.keyway.raft.propose;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Linearizable reads with Raft's ReadIndex: JRaft (ReadOnlySafe) confirms the leader's leadership with a
 * heartbeat round, batched across concurrent reads, and waits until this member applied the read index; then the
 * read runs against the local store on the read executor. Works on followers too (they ask the leader for the
 * index). A read whose round failed (no leader, leader changed) is tried again until its deadline.
 */
public final class ReadBarrier {
  private static final long RETRY_DELAY_MS = 20;

  private final RaftEndpoint raft;
  private final Executor reads;
  private final ScheduledExecutorService scheduler;
  private final long timeoutNanos;
  private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();

  public ReadBarrier(RaftEndpoint raft, Executor reads, ScheduledExecutorService scheduler, long timeoutMs) {
    this.raft = raft;
    this.reads = reads;
    this.scheduler = scheduler;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }

  /** Runs {@code read} on the read executor once everything committed before this call is applied here. */
  public <T> CompletableFuture<T> thenRead(Supplier<T> read) {
    CompletableFuture<T> result = new CompletableFuture<>();
    pending.add(result);
    result.whenComplete((r, t) -> pending.remove(result));
    long deadline = System.nanoTime() + timeoutNanos;
    attempt(read, result, deadline);
    return result;
  }

  /** Fails the reads still waiting (for a retry or a reply that will not come) with "server stopped". */
  public void close() {
    for (CompletableFuture<?> f : pending) {
      f.completeExceptionally(EtcdError.STOPPED.exception());
    }
  }

  private <T> void attempt(Supplier<T> read, CompletableFuture<T> result, long deadline) {
    if (result.isDone()) {
      return;
    }
    if (!raft.leaderKnown()) {
      retryOrFail(read, result, deadline, EtcdError.TIMEOUT.exception());
      return;
    }
    CompletableFuture<Void> round;
    try {
      round = raft.readIndex();
    } catch (RuntimeException e) {
      round = CompletableFuture.failedFuture(e);
    }
    round.whenCompleteAsync((ok, failure) -> {
      if (failure == null) {
        try {
          result.complete(read.get());
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      } else if (RaftErrors.retriableRead(failure)) {
        retryOrFail(read, result, deadline, RaftErrors.toEtcd(failure));
      } else {
        result.completeExceptionally(RaftErrors.toEtcd(failure));
      }
    }, reads);
  }

  private <T> void retryOrFail(Supplier<T> read, CompletableFuture<T> result, long deadline, EtcdException last) {
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_DELAY_MS) >= deadline) {
      result.completeExceptionally(last.error() == EtcdError.NO_LEADER ? EtcdError.TIMEOUT.exception() : last);
      return;
    }
    try {
      scheduler.schedule(() -> attempt(read, result, deadline), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(EtcdError.STOPPED.exception());
    }
  }
}
