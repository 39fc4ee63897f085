package io.keyway.raft.storage;

import io.keyway.store.KvStore;
import java.nio.file.Path;

/** Opens (creating if needed) the MVCC store that lives in a directory. */
@FunctionalInterface
public interface StoreOpener {
  KvStore open(Path dir);
}
