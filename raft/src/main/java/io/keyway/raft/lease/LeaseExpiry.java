package io.keyway.raft.lease;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.raft.propose.RaftErrors;
import io.keyway.store.lease.Lessor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's expiry loop (etcd's lessor runLoop + revokeExpiredLeases): every {@value #INTERVAL_MS} ms it
 * asks the lessor for leases whose clock ran out and proposes their revocation through Raft, at most
 * {@value #MAX_REVOKES_PER_ROUND} per round (etcd's leaseRevokeRate / 2). Leadership is confirmed with a
 * ReadIndex round first, so a deposed leader that has not noticed yet revokes nothing (etcd issue 15247).
 * Runs on its own thread, never on the apply thread or an event loop; proposing never blocks.
 */
public final class LeaseExpiry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseExpiry.class);
  static final long INTERVAL_MS = 500;
  static final int MAX_REVOKES_PER_ROUND = 500;

  private final Lessor lessor;
  private final Supplier<CompletableFuture<Boolean>> confirmLeadership;
  private final LongFunction<CompletableFuture<?>> proposeRevoke;
  private final ScheduledExecutorService timer;

  /**
   * @param confirmLeadership completes with true when this member still leads after a ReadIndex round
   * @param proposeRevoke     proposes the revocation of one lease
   */
  public LeaseExpiry(Lessor lessor, Supplier<CompletableFuture<Boolean>> confirmLeadership,
      LongFunction<CompletableFuture<?>> proposeRevoke) {
    this.lessor = lessor;
    this.confirmLeadership = confirmLeadership;
    this.proposeRevoke = proposeRevoke;
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "keyway-lease-expiry");
      thread.setDaemon(true);
      return thread;
    });
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  public LeaseExpiry start() {
    timer.scheduleWithFixedDelay(this::round, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** One round; package-private so tests can drive it. */
  void round() {
    try {
      if (!lessor.isPrimary()) {
        return;
      }
      List<Long> expired = lessor.expired(MAX_REVOKES_PER_ROUND);
      if (expired.isEmpty()) {
        return;
      }
      // the round's result is not awaited: the next round starts on time, and leases whose revoke got lost
      // come back from the lessor after its retry interval
      confirmLeadership.get().whenComplete((leads, failure) -> {
        if (failure != null || !Boolean.TRUE.equals(leads)) {
          LOG.warn("not revoking {} expired leases: leadership not confirmed ({})", expired.size(),
              failure != null ? RaftErrors.toEtcd(failure).getMessage() : "not the leader");
          return;
        }
        LOG.debug("revoking {} expired leases", expired.size());
        for (long id : expired) {
          proposeRevoke.apply(id).whenComplete((r, t) -> {
            if (t != null) {
              EtcdException e = RaftErrors.toEtcd(t);
              if (e.error() != EtcdError.LEASE_NOT_FOUND) {
                LOG.warn("revoking expired lease {} failed: {}", Long.toHexString(id), e.getMessage());
              }
            }
          });
        }
      });
    } catch (RuntimeException e) {
      LOG.error("lease expiry round failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
