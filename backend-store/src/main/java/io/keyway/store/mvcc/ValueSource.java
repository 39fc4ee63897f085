package io.keyway.store.mvcc;

import io.keyway.api.mvccpb.KeyValue;
import java.util.List;

/** Where the stored KeyValue of a (put) revision is read from: disk, a disk snapshot, or a pending write. */
@FunctionalInterface
public interface ValueSource {
  /** The KeyValues of {@code revisions}, in the same order. Every revision must exist. */
  List<KeyValue> load(List<Revision> revisions);
}
