package io.keyway.store.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.LeaseCheckpoint;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.store.KvStore;
import io.keyway.store.LeaseRecord;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lease checkpoints in the lessor: scheduling on the primary, applying (persisted or not), replays, restarts,
 * promotion from the checkpointed remaining TTL and keep-alive clearing it through the checkpointer.
 */
class LessorCheckpointTest {
  private static final long INTERVAL_MS = 10_000;

  @TempDir Path dir;
  private RocksKvStore store;
  private Lessor lessor;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private long index;
  /** What the lessor asked to replicate; the test plays Raft by applying them. */
  private final List<List<LeaseCheckpoint>> proposed = new ArrayList<>();
  private boolean persist = true;

  @BeforeEach
  void open() {
    store = RocksKvStore.open(dir, StoreOptions.defaults());
    lessor = Lessor.open(store, 2, now::get);
    lessor.enableCheckpoints(this::replicate, INTERVAL_MS, persist);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void reopen() {
    store.close();
    proposed.clear();
    open();
  }

  /** A checkpointer that applies what it is given as the next log entry, as Raft would. */
  private CompletableFuture<?> replicate(List<LeaseCheckpoint> checkpoints) {
    proposed.add(checkpoints);
    return CompletableFuture.completedFuture(apply(checkpoints));
  }

  private Object apply(List<LeaseCheckpoint> checkpoints) {
    return lessor.checkpoint(++index, KvStore.WHOLE_ENTRY, checkpoints);
  }

  private static LeaseCheckpoint cp(long id, long remaining) {
    return LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(remaining).build();
  }

  private void grant(long id, long ttl) {
    lessor.grant(++index, KvStore.WHOLE_ENTRY, LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build());
  }

  private long ttl(long id) {
    return lessor.timeToLive(id, false).getTTL();
  }

  @Test
  void thePrimaryCheckpointsLeasesWhoseRemainingTtlChangedOnceAnIntervalPassed() {
    lessor.promote(0);
    grant(1, 100);
    grant(2, 5); // not longer than the 10 s interval: never scheduled (etcd's scheduleCheckpointIfNeeded)
    now.addAndGet(INTERVAL_MS - 1);
    assertEquals(List.of(), lessor.dueCheckpoints(1000), "not due before the interval");
    now.addAndGet(1_500); // 11.5 s in: 88.5 s left, rounded up as etcd does
    List<LeaseCheckpoint> due = lessor.dueCheckpoints(1000);
    assertEquals(List.of(cp(1, 89)), due);
    assertEquals(List.of(), lessor.dueCheckpoints(1000), "taken once; rescheduled when applied");
    apply(due);
    assertEquals(List.of(new LeaseRecord(1, 100, 89), new LeaseRecord(2, 5)), store.leases());
    assertEquals(88, ttl(1), "applying a checkpoint leaves the running clock alone");
    now.addAndGet(INTERVAL_MS);
    assertEquals(List.of(cp(1, 79)), lessor.dueCheckpoints(1000), "scheduled again by the applied checkpoint");
  }

  @Test
  void batchesAreBoundedAndEarliestFirst() {
    lessor.promote(0);
    for (long id = 1; id <= 5; id++) {
      grant(id, 100);
      now.addAndGet(1);
    }
    now.addAndGet(INTERVAL_MS + 1_000);
    assertEquals(List.of(1L, 2L), lessor.dueCheckpoints(2).stream().map(LeaseCheckpoint::getID).toList());
    assertEquals(List.of(3L, 4L, 5L), lessor.dueCheckpoints(1000).stream().map(LeaseCheckpoint::getID).toList());
  }

  @Test
  void aFollowerAppliesCheckpointsButProposesNone() {
    grant(1, 100);
    now.addAndGet(3 * INTERVAL_MS);
    assertEquals(List.of(), lessor.dueCheckpoints(1000), "no clocks, no checkpoints off the primary");
    apply(List.of(cp(1, 42), cp(99, 7))); // an unknown lease is skipped, as etcd does
    assertEquals(List.of(new LeaseRecord(1, 100, 42)), store.leases());
    assertEquals(index, store.appliedIndex());
    lessor.promote(0);
    assertEquals(42, ttl(1), "promotion starts the clock from the checkpointed remaining TTL");
    assertEquals(100, lessor.timeToLive(1, false).getGrantedTTL());
  }

  @Test
  void aCheckpointSurvivesARestartAndAReplayChangesNothing() {
    grant(1, 100);
    grant(2, 100);
    apply(List.of(cp(1, 30)));
    long applied = index;
    reopen();
    assertEquals(List.of(new LeaseRecord(1, 100, 30), new LeaseRecord(2, 100)), store.leases());
    // the log replays the same entry (same position) after the restart: nothing changes
    lessor.checkpoint(applied, KvStore.WHOLE_ENTRY, List.of(cp(1, 77), cp(2, 5)));
    assertEquals(List.of(new LeaseRecord(1, 100, 30), new LeaseRecord(2, 100)), store.leases());
    lessor.promote(1_000);
    assertEquals(31, ttl(1), "remaining TTL plus the promotion's extension");
    assertEquals(101, ttl(2), "without a checkpoint the full TTL");
  }

  @Test
  void withoutPersistenceACheckpointIsKeptInMemoryOnly() {
    store.close();
    persist = false;
    open();
    grant(1, 100);
    apply(List.of(cp(1, 30)));
    assertEquals(index, store.appliedIndex(), "the position is recorded all the same");
    assertEquals(List.of(new LeaseRecord(1, 100)), store.leases());
    lessor.promote(0);
    assertEquals(30, ttl(1), "a leader change within the running members uses it");
    lessor.demote();
    reopen();
    lessor.promote(0);
    assertEquals(100, ttl(1), "a restart forgets it, as etcd 3.5 without checkpoint persistence does");
  }

  @Test
  void keepAliveOfACheckpointedLeaseClearsTheCheckpointThroughRaftFirst() {
    grant(1, 100);
    apply(List.of(cp(1, 30)));
    lessor.promote(0);
    assertEquals(30, ttl(1));
    proposed.clear();
    assertEquals(100L, lessor.renew(1).join());
    assertEquals(List.of(List.of(cp(1, 0))), proposed, "one checkpoint clearing the remaining TTL");
    assertEquals(List.of(new LeaseRecord(1, 100)), store.leases());
    assertEquals(100, ttl(1), "renewed to its full TTL");
    proposed.clear();
    assertEquals(100L, lessor.renew(1).join());
    assertEquals(List.of(), proposed, "nothing to clear any more: no Raft entry");
  }

  @Test
  void keepAliveFailsWhenTheClearingCheckpointCannotBeReplicated() {
    grant(1, 100);
    apply(List.of(cp(1, 30)));
    lessor.enableCheckpoints(cps -> CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception()),
        INTERVAL_MS, true);
    lessor.promote(0);
    CompletionException e = assertThrows(CompletionException.class, () -> lessor.renew(1).join());
    assertEquals(EtcdError.NOT_LEADER, assertInstanceOf(EtcdException.class, e.getCause()).error());
    assertEquals(30, ttl(1), "the clock was not renewed");
  }

  @Test
  void demotionDropsTheScheduleAndPromotionMakesANewOne() {
    lessor.promote(0);
    grant(1, 100);
    lessor.demote();
    now.addAndGet(2 * INTERVAL_MS);
    lessor.promote(0);
    assertEquals(List.of(), lessor.dueCheckpoints(1000));
    now.addAndGet(INTERVAL_MS + 500);
    List<LeaseCheckpoint> due = lessor.dueCheckpoints(1000);
    assertEquals(List.of(cp(1, 90)), due, "100 s restarted at promotion, 10.5 s ago");
    assertTrue(proposed.isEmpty(), "the loop proposes, not the lessor");
  }
}
