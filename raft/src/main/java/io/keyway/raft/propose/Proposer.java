package io.keyway.raft.propose;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.api.raftpb.RaftRequestBatch;
import io.keyway.raft.statemachine.ResultWaiters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: writes are queued, a dedicated thread packs them into {@link RaftRequestBatch} entries (up to
 * {@link #MAX_REQUESTS_PER_ENTRY} requests or about max-request-bytes each, a few entries in flight) and hands
 * them to Raft. A caller's future completes when the state machine applies its request on this member (not
 * when Raft replies), with the response or the deterministic {@link EtcdException}; Raft failures fail the
 * callers of the whole entry.
 *
 * <p>A write whose entry was rejected before reaching the log (no leader yet, leader not ready) is retried
 * until its deadline; a write whose fate is unknown (leader lost after append, timeout) fails like in etcd and
 * may still be applied later.
 */
public final class Proposer implements ResultWaiters, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Proposer.class);
  static final int MAX_REQUESTS_PER_ENTRY = 512;
  private static final int MAX_ENTRIES_IN_FLIGHT = 4;
  private static final int MAX_QUEUED = 100_000;
  private static final long RETRY_DELAY_MS = 50;

  private final int maxRequestBytes;
  private final long requestTimeoutNanos;
  private final Executor completions;
  private final ScheduledExecutorService scheduler;
  private final BlockingQueue<Proposal> queue = new LinkedBlockingQueue<>();
  private final Map<Long, Proposal> waiting = new ConcurrentHashMap<>();
  private final Semaphore inFlight = new Semaphore(MAX_ENTRIES_IN_FLIGHT);
  private final Thread batcher;
  private volatile RaftEndpoint endpoint;
  private volatile boolean closed;

  public Proposer(int maxRequestBytes, long requestTimeoutMs, Executor completions,
                  ScheduledExecutorService scheduler) {
    this.maxRequestBytes = maxRequestBytes;
    this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
    this.completions = completions;
    this.scheduler = scheduler;
    this.batcher = new Thread(this::packLoop, "keyway-proposer");
    this.batcher.setDaemon(true);
  }

  /** Starts packing once Raft is up; proposals made before are queued. */
  public void start(RaftEndpoint raft) {
    this.endpoint = raft;
    batcher.start();
    scheduler.scheduleWithFixedDelay(this::expireWaiters, 100, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Queues a write. Never blocks. The future completes off the caller's thread with the applied response, or
   * fails with an {@link EtcdException}.
   */
  public CompletableFuture<Object> propose(RaftRequest request) {
    if (closed) {
      return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
    }
    int size = request.getSerializedSize();
    if (size > maxRequestBytes) {
      return CompletableFuture.failedFuture(EtcdError.REQUEST_TOO_LARGE.exception());
    }
    if (queue.size() >= MAX_QUEUED) {
      return CompletableFuture.failedFuture(EtcdError.TOO_MANY_REQUESTS.exception());
    }
    Proposal p = new Proposal(request, size, System.nanoTime() + requestTimeoutNanos);
    queue.add(p);
    return p.future;
  }

  @Override
  public Waiter claim(long requestId) {
    return waiting.remove(requestId);
  }

  private void packLoop() {
    while (!closed) {
      try {
        inFlight.acquire();
        List<Proposal> batch = nextBatch();
        if (batch.isEmpty()) {
          inFlight.release();
          continue;
        }
        send(new Entry(batch));
      } catch (InterruptedException e) {
        if (!closed) {
          LOG.warn("proposer interrupted while running", e);
        }
        return;
      } catch (RuntimeException e) {
        LOG.error("proposer failed to pack a batch", e);
      }
    }
  }

  private List<Proposal> nextBatch() throws InterruptedException {
    List<Proposal> batch = new ArrayList<>();
    Proposal first = queue.poll(100, TimeUnit.MILLISECONDS);
    if (first == null) {
      return batch;
    }
    long now = System.nanoTime();
    long bytes = 0;
    for (Proposal p = first; p != null; ) {
      if (!p.expired(now)) {
        batch.add(p);
        bytes += p.size;
      } else if (!p.future.isDone()) {
        p.fail(EtcdError.TIMEOUT.exception()); // waited in the queue past its deadline
      }
      Proposal next = queue.peek();
      if (next == null || batch.size() >= MAX_REQUESTS_PER_ENTRY || bytes + next.size > maxRequestBytes) {
        break;
      }
      p = queue.poll(); // the only consumer: this is the element peeked
    }
    return batch;
  }

  /** One log entry in flight: its proposals, the encoded message, and exactly-once release of its permit. */
  private final class Entry {
    final List<Proposal> proposals;
    final byte[] message;
    final long deadline;
    final AtomicBoolean finished = new AtomicBoolean();
    final ScheduledFuture<?> safetyNet;

    Entry(List<Proposal> proposals) {
      this.proposals = proposals;
      RaftRequestBatch.Builder b = RaftRequestBatch.newBuilder();
      long earliest = Long.MAX_VALUE;
      for (Proposal p : proposals) {
        b.addRequests(p.request);
        waiting.put(p.request.getId(), p);
        earliest = Math.min(earliest, p.deadline);
      }
      this.message = b.build().toByteArray();
      this.deadline = earliest;
      // never leak the permit, even if Raft should not answer at all
      long delay = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1);
      this.safetyNet = scheduler.schedule(() -> finish(EtcdError.TIMEOUT.exception()), delay, TimeUnit.NANOSECONDS);
    }

    /** Releases the slot; fails the callers still waiting when {@code failure} is set. */
    void finish(EtcdException failure) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      inFlight.release();
      safetyNet.cancel(false);
      if (failure != null) {
        for (Proposal p : proposals) {
          if (waiting.remove(p.request.getId(), p)) {
            p.fail(failure);
          }
        }
      }
    }
  }

  private void send(Entry entry) {
    if (closed) {
      entry.finish(EtcdError.STOPPED.exception());
      return;
    }
    RaftEndpoint raft = endpoint;
    if (!raft.leaderKnown()) {
      retryLater(entry, EtcdError.TIMEOUT.exception());
      return;
    }
    CompletableFuture<Void> reply;
    try {
      reply = raft.write(entry.message);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    // JRaft and Bolt complete replies on their own threads: never continue there
    reply.whenCompleteAsync((r, t) -> onReply(entry, t), completions);
  }

  private void onReply(Entry entry, Throwable failure) {
    if (failure == null) {
      // callers were (or, on a follower, will be) completed by the local apply
      entry.finish(null);
      return;
    }
    if (RaftErrors.rejectedBeforeAppend(failure)) {
      retryLater(entry, RaftErrors.toEtcd(failure));
      return;
    }
    if (closed) {
      entry.finish(EtcdError.STOPPED.exception());
      return;
    }
    LOG.debug("log entry of {} writes failed: {}", entry.proposals.size(), failure.toString());
    EtcdException e = RaftErrors.toEtcd(failure);
    if (e.error() == EtcdError.STOPPED) {
      // this member runs on: what stopped is the leader a follower forwarded to (its client was closed)
      e = EtcdError.LEADER_CHANGED.exception();
    }
    entry.finish(e);
  }

  private void retryLater(Entry entry, EtcdException ifExpired) {
    if (closed) {
      entry.finish(EtcdError.STOPPED.exception());
    } else if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_DELAY_MS) >= entry.deadline) {
      entry.finish(ifExpired.error() == EtcdError.NO_LEADER ? EtcdError.TIMEOUT.exception() : ifExpired);
    } else {
      try {
        scheduler.schedule(() -> send(entry), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        entry.finish(EtcdError.STOPPED.exception()); // shutting down
      }
    }
  }

  private void expireWaiters() {
    long now = System.nanoTime();
    for (Proposal p : waiting.values()) {
      if (p.expired(now) && waiting.remove(p.request.getId(), p)) {
        p.fail(EtcdError.TIMEOUT.exception());
      }
    }
  }

  /** Stops packing; queued and waiting writes fail with "server stopped". Call after Raft has stopped. */
  @Override
  public void close() {
    closed = true;
    batcher.interrupt();
    try {
      batcher.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    EtcdException stopped = EtcdError.STOPPED.exception();
    for (Proposal p; (p = queue.poll()) != null; ) {
      p.fail(stopped);
    }
    for (Proposal p : waiting.values()) {
      if (waiting.remove(p.request.getId(), p)) {
        p.fail(stopped);
      }
    }
  }

  /** Marks the proposer closed so new writes fail fast while Raft shuts down. */
  public void stopAccepting() {
    closed = true;
  }

  private final class Proposal implements Waiter {
    final RaftRequest request;
    final int size;
    final long deadline;
    final CompletableFuture<Object> future = new CompletableFuture<>();

    Proposal(RaftRequest request, int size, long deadline) {
      this.request = request;
      this.size = size;
      this.deadline = deadline;
    }

    boolean expired(long now) {
      return now - deadline > 0 || future.isDone();
    }

    void fail(EtcdException e) {
      completions.execute(() -> future.completeExceptionally(e));
    }

    @Override
    public void complete(Object result) {
      if (result instanceof EtcdException e) {
        future.completeExceptionally(e);
      } else {
        future.complete(result);
      }
    }
  }
}
