package io.keyway.raft.propose;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.raft.transport.LeaderHeartbeats;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftClientReply;

/**
 * Linearizable reads with Raft's ReadIndex: Ratis confirms leadership with a heartbeat round (batched across
 * concurrent reads), waits until this member applied the read index, then the read runs against the local
 * store on the read executor. Works on followers too (they ask the leader for the index).
 */
public final class ReadBarrier {
  private static final long RETRY_DELAY_MS = 20;
  private static final long CONFIRM_POLL_MS = 2;
  private static final int REMARK_EVERY_POLLS = 100;

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
    reads.execute(() -> attempt(read, result, deadline));
    return result;
  }

  /** Fails the reads still waiting (for a retry or a reply that will not come) with "server stopped". */
  public void close() {
    for (CompletableFuture<?> f : pending) {
      f.completeExceptionally(EtcdError.STOPPED.exception());
    }
  }

  private <T> void attempt(Supplier<T> read, CompletableFuture<T> result, long deadline) {
    if (!raft.leaderKnown()) {
      retryOrFail(read, result, deadline, EtcdError.TIMEOUT.exception());
      return;
    }
    // taken before the ReadIndex: only followers' answers to requests sent after this count (see below)
    LeaderHeartbeats.Marks marks = raft.markLeadership();
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = raft.readBarrier();
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenCompleteAsync((r, t) -> {
      Throwable failure = t != null ? t : r.isSuccess() ? null : r.getException();
      if (failure == null) {
        if (marks == null && !raft.isLeader()) {
          complete(read, result); // the leader answered the ReadIndex (follower read)
        } else {
          // Ratis 3.2.2 answers a leader's ReadIndex without a heartbeat round when it confirmed that commit
          // index before: a deposed leader that has not heard of the new term yet would serve stale data
          awaitLeadership(read, result, deadline, marks != null ? marks : raft.markLeadership(), 0);
        }
      } else if (RatisErrors.retriableRead(failure)) {
        retryOrFail(read, result, deadline, RatisErrors.toEtcd(failure));
      } else {
        result.completeExceptionally(RatisErrors.toEtcd(failure));
      }
    }, reads);
  }

  private static <T> void complete(Supplier<T> read, CompletableFuture<T> result) {
    try {
      result.complete(read.get());
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** Reads once a majority confirmed this member's leadership after the read began; retries if it lost it. */
  private <T> void awaitLeadership(Supplier<T> read, CompletableFuture<T> result, long deadline,
                                   LeaderHeartbeats.Marks marks, int polls) {
    if (result.isDone()) {
      return;
    }
    if (marks == null || !raft.leadsIn(marks.term())) {
      // no longer the leader: ask the new one
      retryOrFail(read, result, deadline, EtcdError.LEADER_CHANGED.exception());
      return;
    }
    if (raft.leadershipConfirmed(marks)) {
      complete(read, result);
      return;
    }
    if (System.nanoTime() - deadline >= 0) {
      result.completeExceptionally(EtcdError.TIMEOUT.exception());
      return;
    }
    // a replaced log appender (restart after an error) never answers the old marks: mark again now and then
    LeaderHeartbeats.Marks next = polls > 0 && polls % REMARK_EVERY_POLLS == 0 ? raft.markLeadership() : marks;
    try {
      scheduler.schedule(() -> reads.execute(() -> awaitLeadership(read, result, deadline, next, polls + 1)),
          CONFIRM_POLL_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(EtcdError.STOPPED.exception());
    }
  }

  private <T> void retryOrFail(Supplier<T> read, CompletableFuture<T> result, long deadline, EtcdException last) {
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_DELAY_MS) >= deadline) {
      result.completeExceptionally(last.error() == EtcdError.NO_LEADER ? EtcdError.TIMEOUT.exception() : last);
      return;
    }
    try {
      scheduler.schedule(() -> reads.execute(() -> attempt(read, result, deadline)),
          RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(EtcdError.STOPPED.exception());
    }
  }
}
