package io.keyway.store;

/**
 * Tuning of a {@link RocksKvStore}.
 *
 * @param maxTxnOps           etcd's {@code --max-txn-ops}; the store re-checks every applied txn against it,
 *                            so it must equal the limit the proposing layer enforces
 * @param blockCacheBytes     RocksDB block cache for the revisions column family
 * @param writeBufferBytes    RocksDB memtable size per column family
 * @param syncWrites          fsync the RocksDB WAL on every write; off by default because the Raft log is the
 *                            fsynced source of truth (see {@link RocksKvStore})
 * @param compactionBatchSize revisions removed per RocksDB batch by the background compactor
 */
public record StoreOptions(int maxTxnOps, long blockCacheBytes, long writeBufferBytes, boolean syncWrites,
    int compactionBatchSize) {

  public static final int DEFAULT_MAX_TXN_OPS = 128;

  public StoreOptions {
    if (maxTxnOps < 1 || blockCacheBytes < 0 || writeBufferBytes < 1 << 16 || compactionBatchSize < 1) {
      throw new IllegalArgumentException("invalid store options");
    }
  }

  public static StoreOptions defaults() {
    return new StoreOptions(DEFAULT_MAX_TXN_OPS, 64L << 20, 32L << 20, false, 10_000);
  }

  public StoreOptions withMaxTxnOps(int n) {
    return new StoreOptions(n, blockCacheBytes, writeBufferBytes, syncWrites, compactionBatchSize);
  }

  public StoreOptions withBlockCacheBytes(long n) {
    return new StoreOptions(maxTxnOps, n, writeBufferBytes, syncWrites, compactionBatchSize);
  }

  public StoreOptions withWriteBufferBytes(long n) {
    return new StoreOptions(maxTxnOps, blockCacheBytes, n, syncWrites, compactionBatchSize);
  }

  public StoreOptions withSyncWrites(boolean sync) {
    return new StoreOptions(maxTxnOps, blockCacheBytes, writeBufferBytes, sync, compactionBatchSize);
  }

  public StoreOptions withCompactionBatchSize(int n) {
    return new StoreOptions(maxTxnOps, blockCacheBytes, writeBufferBytes, syncWrites, n);
  }
}
