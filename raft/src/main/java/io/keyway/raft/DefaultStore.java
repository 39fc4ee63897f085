package io.keyway.raft;

import io.keyway.raft.storage.StoreOpener;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;

/** The production engine: RocksDB, re-checking applied txns against the same --max-txn-ops as the proposer. */
final class DefaultStore {
  private DefaultStore() {}

  static StoreOpener opener(NodeConfig config) {
    StoreOptions options = StoreOptions.defaults().withMaxTxnOps(config.maxTxnOps());
    return dir -> RocksKvStore.open(dir, options);
  }
}
