package io.keyway.store;

import io.keyway.store.mvcc.Revision;
import java.io.IOException;
import java.util.List;

/**
 * A store's whole durable content as of one applied position: every stored revision, the revision counters,
 * the lease table and the records of the layers above. What snapshot formats (etcd's bbolt file) are written
 * from ({@link KvStore#readImage}) and read into ({@link Sink}). An image handed to a reader is only valid
 * during the call.
 */
public interface StoreImage {
  long revision();

  /** The compaction revision, 0 if the store was never compacted. */
  long compactRevision();

  long appliedIndex();

  /** Calls {@code visitor} with every stored revision in revision order. */
  void forEachRevision(RevisionVisitor visitor) throws IOException;

  List<LeaseRecord> leases();

  /** The record {@code name} of a layer above, or null. */
  byte[] record(String name);

  @FunctionalInterface
  interface RevisionVisitor {
    /** @param keyValue the serialized {@code mvccpb.KeyValue} */
    void visit(Revision revision, boolean tombstone, byte[] keyValue) throws IOException;
  }

  @FunctionalInterface
  interface Reader<T> {
    T read(StoreImage image) throws IOException;
  }

  /** Where an image is loaded into: a new, empty store. Revisions may come in any order. */
  interface Sink {
    void revision(Revision revision, boolean tombstone, byte[] keyValue);

    void lease(LeaseRecord lease);

    void record(String name, byte[] value);

    /** @param compacted 0 for a store never compacted */
    void revisions(long current, long compacted);
  }

  @FunctionalInterface
  interface Source {
    void fill(Sink sink) throws IOException;
  }
}
