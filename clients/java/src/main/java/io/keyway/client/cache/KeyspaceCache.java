package io.keyway.client.cache;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * A local, always-current copy of every key under a prefix: listed once at one revision (paged), then kept in
 * sync by a watch from that revision + 1 with prev_kv and progress notifications. Disconnects and member failures
 * resume the watch after the last applied revision (events at or below it are dropped as duplicates); when the
 * history needed is compacted away the prefix is listed again and the difference is delivered as ordinary puts
 * and deletes followed by {@link CacheListener#onReset}. Works with any etcd v3 server, Keyway or etcd.
 *
 * <p>Reads are thread-safe and never block on the network. Listeners run on the cache's own thread.
 */
public final class KeyspaceCache implements AutoCloseable {

  private final KeyspaceState state = new KeyspaceState();
  private final ListenerSet listeners = new ListenerSet();
  private final RevisionWaiters waiters = new RevisionWaiters();
  private final CacheSync sync;

  private KeyspaceCache(Client client, ByteSequence prefix, CacheOptions options) {
    this.sync = new CacheSync(client.getKVClient(), client.getWatchClient(), KeyRange.prefix(prefix), options,
        state, listeners, waiters, Values.utf8(prefix));
  }

  /**
   * Starts a cache of {@code prefix} (empty: every key); the future completes once the first snapshot is loaded.
   * Unavailable members and timeouts are retried; an authentication, permission or argument error fails the
   * future. Cancelling the future stops the cache. The client stays the caller's: closing the cache does not
   * close it.
   */
  public static CompletableFuture<KeyspaceCache> open(Client client, ByteSequence prefix, CacheOptions options) {
    KeyspaceCache cache = new KeyspaceCache(client, prefix, options);
    CompletableFuture<KeyspaceCache> opened = cache.sync.start().thenApply(loaded -> cache);
    opened.whenComplete((done, error) -> {
      if (error != null) {
        cache.close();
      }
    });
    return opened;
  }

  public static CompletableFuture<KeyspaceCache> open(Client client, String prefix, CacheOptions options) {
    return open(client, Values.utf8(prefix), options);
  }

  public static CompletableFuture<KeyspaceCache> open(Client client, String prefix) {
    return open(client, prefix, CacheOptions.defaults());
  }

  public CacheEntry get(ByteSequence key) {
    return state.get(key);
  }

  public CacheEntry get(String key) {
    return state.get(Values.utf8(key));
  }

  /** Every entry in key order, as of one revision. */
  public List<CacheEntry> entries() {
    return state.entries();
  }

  /** Entries with {@code from <= key < to} in key order; null means unbounded. */
  public List<CacheEntry> range(ByteSequence from, ByteSequence to) {
    return state.range(from, to);
  }

  public List<CacheEntry> range(String from, String to) {
    return state.range(from == null ? null : Values.utf8(from), to == null ? null : Values.utf8(to));
  }

  public int size() {
    return state.size();
  }

  /** The revision the cache is current at: events and progress notifications up to it are applied. */
  public long revision() {
    return state.revision();
  }

  /**
   * Completes once the cache has caught up with {@code revision}, e.g. the header revision of a put, so that a
   * read of the cache afterwards sees that write (read-your-writes). Dependent stages run on the cache's thread
   * unless given an executor.
   */
  public CompletableFuture<Long> awaitRevision(long revision) {
    CompletableFuture<Long> reached = waiters.await(revision);
    if (!reached.isDone()) {
      sync.nudge();
    }
    return reached;
  }

  /**
   * Adds a listener. It first receives a put for every entry the cache holds, then every change after those,
   * so replaying its calls rebuilds the cache. Closing the returned handle removes it.
   */
  public Subscription addListener(CacheListener listener) {
    sync.run(() -> {
      for (CacheEntry entry : state.entries()) {
        ListenerSet.deliver(listener, new Change.Put(entry, null));
      }
      listeners.add(listener);
    });
    return () -> sync.run(() -> listeners.remove(listener));
  }

  /** {@link #addListener} for puts only: {@code (entry, previous or null)}. */
  public Subscription onPut(BiConsumer<CacheEntry, CacheEntry> action) {
    return addListener(new CacheListener() {
      @Override
      public void onPut(CacheEntry entry, CacheEntry previous) {
        action.accept(entry, previous);
      }
    });
  }

  /** {@link #addListener} for deletes only: {@code (previous, revision)}. */
  public Subscription onDelete(BiConsumer<CacheEntry, Long> action) {
    return addListener(new CacheListener() {
      @Override
      public void onDelete(CacheEntry previous, long revision) {
        action.accept(previous, revision);
      }
    });
  }

  /** {@link #addListener} for re-lists only. */
  public Subscription onReset(LongConsumer action) {
    return addListener(new CacheListener() {
      @Override
      public void onReset(long revision) {
        action.accept(revision);
      }
    });
  }

  /** Stops watching; pending {@link #awaitRevision} futures fail with a CancellationException. */
  @Override
  public void close() {
    sync.close();
  }
}
