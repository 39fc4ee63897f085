package io.keyway.store.mvcc;

import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;

/**
 * One change a write made to one key.
 *
 * @param revision      storage revision of the change
 * @param kv            the stored KeyValue; for a deletion only {@code key} and {@code mod_revision}
 * @param tombstone     true for a deletion
 * @param prevRevision  the revision of the key's version before the write began, or null (always null for a
 *                      creation): what a watcher's {@code prev_kv} lookup at {@code mod_revision - 1} finds. Only
 *                      the revision is kept, so a write costs no read of the old value unless a watcher asks
 * @param detachedLease lease the key lost (0 for none)
 * @param attachedLease lease the key gained (0 for none)
 */
public record Change(Revision revision, KeyValue kv, boolean tombstone, Revision prevRevision, long detachedLease,
    long attachedLease) {

  /** The watch event; {@code prevKv} is the value at {@link #prevRevision} or null for none. */
  public Event toEvent(KeyValue prevKv) {
    Event.Builder e = Event.newBuilder()
        .setType(tombstone ? Event.EventType.DELETE : Event.EventType.PUT)
        .setKv(kv);
    if (prevKv != null) {
      e.setPrevKv(prevKv);
    }
    return e.build();
  }
}
