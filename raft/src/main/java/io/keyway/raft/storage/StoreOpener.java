package io.keyway.raft.storage;

import io.keyway.store.LeaseStore;
import java.nio.file.Path;

/** Opens (creating if needed) the MVCC store, with its lease table, that lives in a directory. */
@FunctionalInterface
public interface StoreOpener {
  LeaseStore open(Path dir);
}
