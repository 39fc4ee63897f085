package io.keyway.client.cache;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of one cache; a listener that throws is logged and does not stop the others or the cache. */
final class ListenerSet {
  private static final Logger LOG = LoggerFactory.getLogger(ListenerSet.class);

  private final List<CacheListener> listeners = new CopyOnWriteArrayList<>();

  void add(CacheListener listener) {
    listeners.add(listener);
  }

  void remove(CacheListener listener) {
    listeners.remove(listener);
  }

  void deliver(List<Change> changes) {
    for (Change change : changes) {
      for (CacheListener listener : listeners) {
        deliver(listener, change);
      }
    }
  }

  static void deliver(CacheListener listener, Change change) {
    try {
      change.deliverTo(listener);
    } catch (RuntimeException e) {
      LOG.warn("cache listener {} failed on {}", listener, change, e);
    }
  }

  void reset(long revision) {
    for (CacheListener listener : listeners) {
      try {
        listener.onReset(revision);
      } catch (RuntimeException e) {
        LOG.warn("cache listener {} failed on reset at {}", listener, revision, e);
      }
    }
  }
}
