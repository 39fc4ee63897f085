package io.keyway.client.cache;

/** One change the cache applied, for its listeners. */
sealed interface Change {

  void deliverTo(CacheListener listener);

  record Put(CacheEntry entry, CacheEntry previous) implements Change {
    @Override
    public void deliverTo(CacheListener listener) {
      listener.onPut(entry, previous);
    }
  }

  record Delete(CacheEntry previous, long revision) implements Change {
    @Override
    public void deliverTo(CacheListener listener) {
      listener.onDelete(previous, revision);
    }
  }
}
