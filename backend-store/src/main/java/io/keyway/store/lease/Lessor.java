package io.keyway.store.lease;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.LeaseCheckpoint;
import io.keyway.api.etcdserverpb.LeaseCheckpointResponse;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeResponse;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.store.LeaseHooks;
import io.keyway.store.LeaseRecord;
import io.keyway.store.LeaseStore;
import io.keyway.store.mvcc.KvOps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's lessor: owns the leases of a member.
 *
 * <p><b>Replicated state</b> (which leases exist, their granted TTL) changes only through {@link #grant} and
 * {@link #revoke}, called on the apply thread in log order like every store write: it is persisted in the
 * store's lease table atomically with the applied position, so replays are idempotent and a restart finds
 * it again. Which keys belong to which lease is the store's knowledge; the lessor mirrors it through
 * {@link LeaseHooks} and rebuilds it from the store on start.
 *
 * <p><b>Expiry clocks</b> exist only in memory, and only while this member is the primary lessor (the Raft
 * leader): {@link #promote} starts every lease's clock afresh, {@link #demote} stops them all. Followers never
 * expire anything. The leader's expiry loop asks {@link #expired} for leases past their time and proposes
 * their revocation through Raft; {@link #renew} (keep-alive) restarts a clock without Raft.
 *
 * <p><b>Checkpoints</b> (etcd's {@code --experimental-enable-lease-checkpoint}), once
 * {@link #enableCheckpoints enabled}: the primary schedules each lease whose clock runs longer than the
 * checkpoint interval for a checkpoint one interval later; {@link #dueCheckpoints} yields the due ones with
 * their remaining TTL (rounded up to seconds) for the caller to propose through Raft, and {@link #checkpoint}
 * applies them on every member: the remaining TTL becomes replicated state (persisted with the lease record
 * when checkpoints persist) that the next {@link #promote} starts the clock from instead of the full TTL. A
 * keep-alive of a checkpointed lease first clears its checkpoint through Raft, so a renewed lease is not cut
 * short by a later leader.
 *
 * <p>Thread-safety: lease lookups are lock-free; clock changes are serialised on this object.
 */
public final class Lessor implements LeaseHooks {
  private static final Logger LOG = LoggerFactory.getLogger(Lessor.class);

  /** etcd's MaxLeaseTTL, in seconds. */
  public static final long MAX_LEASE_TTL = 9_000_000_000L;
  /** What TimeToLive reports for a lease without a running clock: etcd's MaxInt64 duration in seconds. */
  static final long FOREVER_SECONDS = Long.MAX_VALUE / 1_000_000_000L;
  /** etcd's expiredLeaseRetryInterval: an expired lease still present this long after its revoke was proposed is proposed again. */
  static final long REVOKE_RETRY_MILLIS = 3_000;
  /** etcd's defaultLeaseCheckpointInterval. */
  public static final long DEFAULT_CHECKPOINT_INTERVAL_MILLIS = 5 * 60_000L;

  private final LeaseStore store;
  private final long minTtlSeconds;
  private final LongSupplier clock;
  private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
  private volatile boolean primary;
  /** Completed when this member stops being primary; renewals waiting on an expired lease give up then. */
  private CompletableFuture<Void> demoted = new CompletableFuture<>();
  /** Null while checkpointing is disabled on this member (etcd: no checkpointer set). */
  private volatile Checkpointer checkpointer;
  private volatile long checkpointIntervalMillis = DEFAULT_CHECKPOINT_INTERVAL_MILLIS;
  /** Whether applied checkpoints are written to the lease records (etcd's checkpointPersist). */
  private volatile boolean persistCheckpoints;

  /**
   * @param minTtlSeconds etcd's minLeaseTTL: shorter TTLs are raised to it when granted
   * @param millisClock   a monotonic clock in milliseconds (tests pass a manual one)
   */
  private Lessor(LeaseStore store, long minTtlSeconds, LongSupplier millisClock) {
    this.store = store;
    this.minTtlSeconds = minTtlSeconds;
    this.clock = millisClock;
  }

  /**
   * Loads the persisted leases of {@code store} and installs the lessor as its lease hooks (which replays
   * the attached keys). Call before the store applies anything.
   */
  public static Lessor open(LeaseStore store, long minTtlSeconds, LongSupplier millisClock) {
    Lessor lessor = new Lessor(store, minTtlSeconds, millisClock);
    lessor.load();
    store.setLeaseHooks(lessor);
    LOG.info("lessor started with {} leases (minimum TTL {} s)", lessor.leases.size(), minTtlSeconds);
    return lessor;
  }

  /** A monotonic millisecond clock for production use. */
  public static long monotonicMillis() {
    return System.nanoTime() / 1_000_000L;
  }

  private void load() {
    for (LeaseRecord r : store.leases()) {
      leases.put(r.id(), new Lease(r.id(), r.ttl(), r.remainingTtl()));
    }
  }

  /**
   * Enables lease checkpointing on this member (etcd's SetCheckpointer). Call before the member can be
   * promoted.
   *
   * @param intervalMillis how long after a lease's clock starts (or its last checkpoint) it is checkpointed;
   *                       0 or less means etcd's default of 5 minutes
   * @param persist        whether applied checkpoints are persisted with the lease records, so they survive a
   *                       restart of every member (etcd's {@code --experimental-enable-lease-checkpoint-persist})
   */
  public synchronized void enableCheckpoints(Checkpointer checkpointer, long intervalMillis, boolean persist) {
    this.checkpointIntervalMillis = intervalMillis > 0 ? intervalMillis : DEFAULT_CHECKPOINT_INTERVAL_MILLIS;
    this.persistCheckpoints = persist;
    this.checkpointer = checkpointer;
  }

  /**
   * Whether applied checkpoints are persisted. Also settable alone: applying a checkpoint entry does not need
   * this member to propose any.
   */
  public void persistCheckpoints(boolean persist) {
    this.persistCheckpoints = persist;
  }

  public long minTtlSeconds() { return minTtlSeconds; }

  // ---- replicated changes (apply thread) -----------------------------------------------------------------

  /**
   * Applies a grant (etcd's {@code lessor.Grant}). The ID was chosen by the proposer (never 0 in a well-formed
   * entry). The response's header carries only the revision.
   */
  public LeaseGrantResponse grant(long index, int part, LeaseGrantRequest request) {
    if (store.isApplied(index, part)) {
      return LeaseGrantResponse.newBuilder().setHeader(KvOps.header(store.revision())).build(); // a replay
    }
    long id = request.getID();
    if (id == 0) {
      throw failed(index, part, EtcdError.LEASE_NOT_FOUND);
    }
    if (request.getTTL() > MAX_LEASE_TTL) {
      throw failed(index, part, EtcdError.LEASE_TTL_TOO_LARGE);
    }
    if (leases.containsKey(id)) {
      throw failed(index, part, EtcdError.LEASE_EXIST);
    }
    long ttl = Math.max(request.getTTL(), minTtlSeconds);
    if (!store.grantLease(index, part, new LeaseRecord(id, ttl))) {
      return LeaseGrantResponse.newBuilder().setHeader(KvOps.header(store.revision())).build();
    }
    Lease lease = new Lease(id, ttl);
    synchronized (this) {
      if (primary) {
        long now = clock.getAsLong();
        lease.expireAt(now + ttl * 1000);
        scheduleCheckpoint(lease, now);
      }
      leases.put(id, lease);
    }
    return LeaseGrantResponse.newBuilder()
        .setHeader(KvOps.header(store.revision()))
        .setID(id)
        .setTTL(ttl)
        .build();
  }

  /**
   * Applies a revoke (etcd's {@code lessor.Revoke}): the lease's keys are deleted in one revision and the lease
   * record removed, atomically.
   */
  public LeaseRevokeResponse revoke(long index, int part, LeaseRevokeRequest request) {
    if (store.isApplied(index, part)) {
      return LeaseRevokeResponse.newBuilder().setHeader(KvOps.header(store.revision())).build(); // a replay
    }
    long id = request.getID();
    Lease lease = leases.get(id);
    if (lease == null) {
      throw failed(index, part, EtcdError.LEASE_NOT_FOUND);
    }
    DeleteRangeResponse deleted = store.revokeLease(index, part, id, lease.keys());
    if (deleted == null) {
      return LeaseRevokeResponse.newBuilder().setHeader(KvOps.header(store.revision())).build();
    }
    leases.remove(id, lease);
    lease.revoked.complete(null);
    return LeaseRevokeResponse.newBuilder().setHeader(KvOps.header(deleted.getHeader().getRevision())).build();
  }

  /**
   * Applies checkpoints (etcd's {@code lessor.Checkpoint} for each): records each known lease's remaining TTL,
   * which the next promotion starts its clock from (0 clears it). Running clocks are left alone. Unknown
   * leases are skipped. Persisted with the applied position when checkpoints persist; otherwise only the
   * position is.
   */
  public LeaseCheckpointResponse checkpoint(long index, int part, List<LeaseCheckpoint> checkpoints) {
    LeaseCheckpointResponse done = LeaseCheckpointResponse.newBuilder().setHeader(KvOps.header(store.revision()))
        .build();
    if (store.isApplied(index, part)) {
      return done; // a replay
    }
    Map<Long, Long> remaining = new java.util.LinkedHashMap<>();
    List<LeaseRecord> records = new ArrayList<>();
    for (LeaseCheckpoint c : checkpoints) {
      Lease lease = leases.get(c.getID());
      if (lease != null) {
        remaining.put(lease.id, c.getRemainingTTL());
      }
    }
    if (persistCheckpoints && !remaining.isEmpty()) {
      remaining.forEach((id, ttl) -> records.add(new LeaseRecord(id, leases.get(id).ttl, ttl)));
      if (!store.putLeases(index, part, records)) {
        return done;
      }
    } else {
      store.markApplied(index, part);
    }
    synchronized (this) {
      long now = clock.getAsLong();
      remaining.forEach((id, ttl) -> {
        Lease lease = leases.get(id);
        if (lease != null) {
          lease.checkpointed(ttl);
          if (primary) {
            scheduleCheckpoint(lease, now);
          }
        }
      });
    }
    return done;
  }

  /** A failed request is still the entry's result: its position is recorded so a replay does not redo it. */
  private EtcdException failed(long index, int part, EtcdError error) {
    store.markApplied(index, part);
    return error.exception();
  }

  // ---- LeaseHooks (apply thread) ---------------------------------------------------------------------------

  @Override
  public boolean exists(long leaseId) {
    return leases.containsKey(leaseId);
  }

  @Override
  public void attached(long leaseId, ByteString key) {
    Lease lease = leases.get(leaseId);
    if (lease == null) {
      // the store only attaches keys to leases that exist, and revokes delete them with the lease
      LOG.warn("key {} is attached to lease {} which the lessor does not know", key.toStringUtf8(),
          Long.toHexString(leaseId));
      return;
    }
    lease.attach(key);
  }

  @Override
  public void detached(long leaseId, ByteString key) {
    Lease lease = leases.get(leaseId);
    if (lease != null) {
      lease.detach(key);
    }
  }

  /** A snapshot replaced the store: its lease table is now the truth. Clocks of leases that survive keep running. */
  @Override
  public synchronized void storeReplaced() {
    Map<Long, Lease> before = new HashMap<>(leases);
    leases.clear();
    long now = clock.getAsLong();
    for (LeaseRecord r : store.leases()) {
      Lease lease = new Lease(r.id(), r.ttl(), r.remainingTtl());
      Lease old = before.remove(r.id());
      if (old != null && old.ttl == r.ttl()) {
        lease.expireAt(old.expiry());
        lease.checkpointAt(old.nextCheckpoint());
      } else if (primary) {
        lease.expireAt(now + lease.clockTtl() * 1000);
        scheduleCheckpoint(lease, now);
      }
      leases.put(r.id(), lease);
    }
    before.values().forEach(gone -> gone.revoked.complete(null));
    LOG.info("lessor reloaded {} leases from a replaced store", leases.size());
  }

  // ---- clocks (any thread) ---------------------------------------------------------------------------------

  public boolean isPrimary() {
    return primary;
  }

  /**
   * This member became the leader and applied everything of earlier terms (etcd's {@code Promote}): every
   * lease expires {@code extendMillis} plus its TTL from now, or plus its checkpointed remaining TTL if it has
   * one.
   */
  public synchronized void promote(long extendMillis) {
    long now = clock.getAsLong();
    for (Lease lease : leases.values()) {
      lease.expireAt(now + extendMillis + lease.clockTtl() * 1000);
      scheduleCheckpoint(lease, now);
    }
    if (!primary) {
      demoted = new CompletableFuture<>();
    }
    primary = true;
    LOG.info("lessor promoted: {} lease clocks started", leases.size());
  }

  /** This member is no longer the leader (etcd's {@code Demote}): no lease expires here any more. */
  public synchronized void demote() {
    if (!primary) {
      return;
    }
    primary = false;
    for (Lease lease : leases.values()) {
      lease.expireAt(Lease.FOREVER);
      lease.checkpointAt(Lease.FOREVER);
    }
    demoted.complete(null);
    LOG.info("lessor demoted: lease clocks stopped");
  }

  /**
   * Keep-alive (etcd's {@code lessor.Renew}): restarts the lease's clock and yields its granted TTL. Fails with
   * {@link EtcdError#NOT_LEADER} when this member is not the primary lessor and with
   * {@link EtcdError#LEASE_NOT_FOUND} for an unknown lease. A lease that already expired is waiting for its
   * revocation: the answer waits for it too (then "not found"), or fails with NOT_LEADER if leadership is
   * lost first, so a renewal never resurrects a lease whose revoke is on its way.
   *
   * <p>With checkpointing enabled, a lease with a checkpointed remaining TTL has it cleared through Raft first
   * (as etcd does), so that a later leader starts it from its full TTL; the renewal fails if that fails.
   */
  public CompletableFuture<Long> renew(long id) {
    Lease lease;
    CompletableFuture<Void> demotion;
    Checkpointer cp = checkpointer;
    synchronized (this) {
      if (!primary) {
        return CompletableFuture.failedFuture(EtcdError.NOT_LEADER.exception());
      }
      lease = leases.get(id);
      if (lease == null) {
        return CompletableFuture.failedFuture(EtcdError.LEASE_NOT_FOUND.exception());
      }
      long now = clock.getAsLong();
      if (!lease.expiredAt(now)) {
        if (cp == null || lease.remainingTtl() == 0) {
          // without a checkpointer a remaining TTL (from another leader's entries) is not cleared, and etcd's
          // refresh then starts the clock from it
          lease.expireAt(now + lease.clockTtl() * 1000);
          return CompletableFuture.completedFuture(lease.ttl);
        }
        demotion = null;
      } else {
        demotion = demoted;
      }
    }
    if (demotion == null) {
      // proposed outside the lock: the checkpoint's apply takes it
      return cp.checkpoint(List.of(LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(0).build()))
          .thenApply(applied -> refresh(id));
    }
    Lease expired = lease;
    return CompletableFuture.anyOf(expired.revoked, demotion).thenApply(any -> {
      throw (expired.revoked.isDone() ? EtcdError.LEASE_NOT_FOUND : EtcdError.NOT_LEADER).exception();
    });
  }

  /** The second half of a renewal whose checkpoint had to be cleared: the lease may be gone meanwhile. */
  private synchronized long refresh(long id) {
    Lease lease = leases.get(id);
    if (lease == null) {
      throw EtcdError.LEASE_NOT_FOUND.exception();
    }
    if (!primary) {
      throw EtcdError.NOT_LEADER.exception();
    }
    lease.expireAt(clock.getAsLong() + lease.clockTtl() * 1000);
    return lease.ttl;
  }

  /**
   * etcd's scheduleCheckpointIfNeeded: with checkpointing enabled, a lease whose clock runs longer than the
   * interval (in whole seconds, as etcd compares) is checkpointed one interval from now. Caller holds this
   * object's lock and is primary.
   */
  private void scheduleCheckpoint(Lease lease, long now) {
    if (checkpointer == null) {
      return;
    }
    long interval = checkpointIntervalMillis;
    if (lease.clockTtl() > interval / 1000) {
      lease.checkpointAt(now + interval);
    }
  }

  /**
   * Up to {@code limit} due checkpoints, earliest first (etcd's findDueScheduledCheckpoints): each lease's
   * remaining time rounded up to seconds, skipping leases already expired and leases whose remaining TTL
   * equals their TTL (just renewed; those are looked at again one interval later). A lease yielded here is
   * scheduled again when its checkpoint is applied. Empty unless primary with checkpointing enabled.
   */
  public synchronized List<LeaseCheckpoint> dueCheckpoints(int limit) {
    if (!primary || checkpointer == null) {
      return List.of();
    }
    long now = clock.getAsLong();
    List<Lease> due = new ArrayList<>();
    for (Lease lease : leases.values()) {
      if (lease.nextCheckpoint() != Lease.FOREVER && lease.nextCheckpoint() - now <= 0) {
        due.add(lease);
      }
    }
    due.sort(Comparator.comparingLong(Lease::nextCheckpoint).thenComparingLong(l -> l.id));
    List<LeaseCheckpoint> out = new ArrayList<>();
    for (Lease lease : due) {
      if (out.size() >= limit) {
        break;
      }
      lease.checkpointAt(Lease.FOREVER);
      if (lease.expiredAt(now)) {
        continue;
      }
      long remaining = (lease.remainingMillis(now) + 999) / 1000;
      if (remaining >= lease.ttl) {
        scheduleCheckpoint(lease, now);
        continue;
      }
      out.add(LeaseCheckpoint.newBuilder().setID(lease.id).setRemainingTTL(remaining).build());
    }
    return out;
  }

  /** Whether this member proposes checkpoints (a checkpointer is installed). */
  public boolean checkpointsEnabled() {
    return checkpointer != null;
  }

  /**
   * Up to {@code limit} leases whose clock ran out, earliest first, that were not proposed for revocation in
   * the last {@link #REVOKE_RETRY_MILLIS} (etcd's findExpiredLeases). Empty unless primary.
   */
  public synchronized List<Long> expired(int limit) {
    if (!primary) {
      return List.of();
    }
    long now = clock.getAsLong();
    List<Lease> due = new ArrayList<>();
    for (Lease lease : leases.values()) {
      if (lease.expiredAt(now) && lease.nextRevokeAttempt() - now <= 0) {
        due.add(lease);
      }
    }
    due.sort(Comparator.comparingLong(Lease::expiry).thenComparingLong(l -> l.id));
    List<Long> ids = new ArrayList<>(Math.min(limit, due.size()));
    for (Lease lease : due.subList(0, Math.min(limit, due.size()))) {
      lease.revokeAttemptedUntil(now + REVOKE_RETRY_MILLIS);
      ids.add(lease.id);
    }
    return ids;
  }

  // ---- reads (any thread) ----------------------------------------------------------------------------------

  /**
   * etcd's TimeToLive as the leader answers it: remaining seconds (truncated), granted TTL and, when asked,
   * the attached keys in key order. Null for an unknown lease. No header.
   */
  public LeaseTimeToLiveResponse timeToLive(long id, boolean withKeys) {
    Lease lease = leases.get(id);
    if (lease == null) {
      return null;
    }
    long remaining = lease.remainingMillis(clock.getAsLong());
    LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder()
        .setID(id)
        .setTTL(remaining == Long.MAX_VALUE ? FOREVER_SECONDS : remaining / 1000)
        .setGrantedTTL(lease.ttl);
    if (withKeys) {
      b.addAllKeys(lease.keys());
    }
    return b.build();
  }

  /** All lease ids, soonest expiry first (etcd sorts by remaining time), ties by id. */
  public List<Long> leases() {
    List<Lease> all = new ArrayList<>(leases.values());
    long now = clock.getAsLong();
    all.sort(Comparator.comparingLong((Lease l) -> l.remainingMillis(now)).thenComparingLong(l -> l.id));
    List<Long> ids = new ArrayList<>(all.size());
    for (Lease lease : all) {
      ids.add(lease.id);
    }
    return ids;
  }

  /** Whether lease {@code id} exists on this member. */
  public boolean contains(long id) {
    return leases.containsKey(id);
  }
}
