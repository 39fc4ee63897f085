package io.keyway.raft.lease;

import io.keyway.api.etcdserverpb.LeaseCheckpoint;
import io.keyway.raft.propose.RaftErrors;
import io.keyway.store.lease.Checkpointer;
import io.keyway.store.lease.Lessor;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's checkpoint loop (etcd's lessor runLoop + checkpointScheduledLeases): every {@value #INTERVAL_MS}
 * ms it takes the lessor's due checkpoints in batches of at most {@value #MAX_BATCH} (one Raft entry each) and
 * proposes them, at most {@value #MAX_BATCHES_PER_ROUND} batches a round (etcd's leaseCheckpointRate / 2). Only
 * exists on a member started with lease checkpointing enabled. Runs on its own thread; never blocks on a
 * proposal.
 */
public final class LeaseCheckpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseCheckpoints.class);
  static final long INTERVAL_MS = 500;
  /** etcd's maxLeaseCheckpointBatchSize. */
  static final int MAX_BATCH = 1000;
  static final int MAX_BATCHES_PER_ROUND = 500;

  private final Lessor lessor;
  private final Checkpointer propose;
  private final ScheduledExecutorService timer;

  public LeaseCheckpoints(Lessor lessor, Checkpointer propose) {
    this.lessor = lessor;
    this.propose = propose;
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "keyway-lease-checkpoint");
      thread.setDaemon(true);
      return thread;
    });
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  public LeaseCheckpoints start() {
    timer.scheduleWithFixedDelay(this::round, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    return this;
  }

  void round() {
    try {
      for (int i = 0; i < MAX_BATCHES_PER_ROUND; i++) {
        List<LeaseCheckpoint> batch = lessor.dueCheckpoints(MAX_BATCH);
        if (batch.isEmpty()) {
          return;
        }
        // a lost batch is not retried: those leases are scheduled again at the next promotion, as in etcd
        propose.checkpoint(batch).whenComplete((r, t) -> {
          if (t != null) {
            LOG.warn("checkpointing {} leases failed: {}", batch.size(), RaftErrors.toEtcd(t).getMessage());
          }
        });
        if (batch.size() < MAX_BATCH) {
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.error("lease checkpoint round failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
