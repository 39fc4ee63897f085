package io.keyway.client.cache;

import io.etcd.jetcd.watch.WatchEvent;

/**
 * A watch event as the cache applies it: a put of {@code entry}, or a delete of {@code entry.key()} at
 * {@code entry.modRevision()}; {@code prevModRevision} is the server's prev_kv mod revision, 0 when it sent none.
 */
record WatchedEvent(boolean delete, CacheEntry entry, long prevModRevision) {

  static WatchedEvent of(WatchEvent event) {
    long prev = event.getPrevKV() == null || event.getPrevKV().getKey().isEmpty()
        ? 0 : event.getPrevKV().getModRevision();
    return new WatchedEvent(event.getEventType() == WatchEvent.EventType.DELETE,
        CacheEntry.of(event.getKeyValue()), prev);
  }

  static WatchedEvent put(CacheEntry entry, long prevModRevision) {
    return new WatchedEvent(false, entry, prevModRevision);
  }

  static WatchedEvent delete(CacheEntry tombstone, long prevModRevision) {
    return new WatchedEvent(true, tombstone, prevModRevision);
  }

  long revision() {
    return entry.modRevision();
  }
}
