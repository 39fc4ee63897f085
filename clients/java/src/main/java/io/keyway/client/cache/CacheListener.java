package io.keyway.client.cache;

/**
 * Changes of a {@link KeyspaceCache}, called one at a time on the cache's own thread, in revision order, each
 * change exactly once: replaying them onto a map rebuilds the cache. A slow listener delays the ones after it
 * and the cache's progress, never jetcd's threads.
 */
public interface CacheListener {

  /** {@code key} now holds {@code entry}; {@code previous} is what the cache held before, or null. */
  default void onPut(CacheEntry entry, CacheEntry previous) {}

  /** {@code previous} was deleted at {@code revision}. */
  default void onDelete(CacheEntry previous, long revision) {}

  /**
   * The watch history the cache needed was compacted away, so it listed the prefix again at {@code revision};
   * the puts and deletes just delivered were the difference between the old and the new contents (intermediate
   * versions of a key are gone for good).
   */
  default void onReset(long revision) {}
}
