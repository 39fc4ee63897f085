package io.keyway.raft.maintenance;

import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's backend space quota ({@code --quota-backend-bytes}): whether a write that adds data still fits. A
 * write costs its key and value sizes plus a fixed per-key overhead (a txn: its larger branch; a lease grant:
 * a fixed overhead); it fits while the store's size plus its cost stays below the quota. Negative quotas
 * disable the check, 0 means etcd's default of 2 GiB.
 */
public final class BackendQuota {
  private static final Logger LOG = LoggerFactory.getLogger(BackendQuota.class);

  public static final long DEFAULT_BYTES = 2L * 1024 * 1024 * 1024;
  /** Larger quotas are allowed, with a warning (etcd's suggested maximum). */
  public static final long MAX_SUGGESTED_BYTES = 8L * 1024 * 1024 * 1024;
  /** etcd's estimates of what a key's metadata and a lease cost beyond their bytes. */
  static final int KV_OVERHEAD = 256;
  static final int LEASE_OVERHEAD = 64;

  /** How long a measured size may be reused for a write that fits (a measure lists the WAL directory). */
  private static final long REUSE_NANOS = 100_000_000L;

  private final long limit;
  private final LongSupplier size;
  private volatile long measured;
  private volatile long measuredAt;
  private volatile boolean everMeasured;

  private BackendQuota(long limit, LongSupplier size) {
    this.limit = limit;
    this.size = size;
  }

  /**
   * @param configured the flag's value: negative disables, 0 is the default
   * @param size the store's current size on disk
   */
  public static BackendQuota of(long configured, LongSupplier size) {
    if (configured < 0) {
      LOG.info("disabled backend quota (quota-size-bytes {})", configured);
      return new BackendQuota(-1, size);
    }
    if (configured == 0) {
      LOG.info("enabled backend quota with default value ({} bytes)", DEFAULT_BYTES);
      return new BackendQuota(DEFAULT_BYTES, size);
    }
    if (configured > MAX_SUGGESTED_BYTES) {
      LOG.warn("quota exceeds the maximum value: quota-size-bytes {}, quota-maximum-size-bytes {}", configured,
          MAX_SUGGESTED_BYTES);
    }
    LOG.info("enabled backend quota ({} bytes)", configured);
    return new BackendQuota(configured, size);
  }

  /** The quota in bytes; negative when disabled. */
  public long limit() { return limit; }

  /**
   * Whether a write of {@code cost} bytes fits; requests that add nothing (cost 0) always do. A write that fits
   * may be judged on a size measured up to 100 ms ago (writes are checked on the request path, often an event
   * loop); a refusal is always decided on a fresh measure, so a defragmented store is seen at once.
   */
  public boolean available(long cost) {
    if (cost == 0 || limit < 0) {
      return true;
    }
    long now = System.nanoTime();
    if (everMeasured && now - measuredAt < REUSE_NANOS && measured + cost < limit) {
      return true;
    }
    long current = size.getAsLong();
    measured = current;
    measuredAt = now;
    everMeasured = true;
    return current + cost < limit;
  }

  public static long cost(PutRequest put) {
    return KV_OVERHEAD + put.getKey().size() + put.getValue().size();
  }

  public static long cost(TxnRequest txn) {
    return Math.max(cost(txn.getSuccessList()), cost(txn.getFailureList()));
  }

  private static long cost(java.util.List<RequestOp> ops) {
    long sum = 0;
    for (RequestOp op : ops) {
      if (op.hasRequestPut()) {
        sum += cost(op.getRequestPut());
      } else if (op.hasRequestTxn()) {
        sum += cost(op.getRequestTxn());
      }
    }
    return sum;
  }

  public static long cost(LeaseGrantRequest grant) {
    return LEASE_OVERHEAD;
  }
}
