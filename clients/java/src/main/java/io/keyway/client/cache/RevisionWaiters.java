package io.keyway.client.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Futures of {@link KeyspaceCache#awaitRevision} by the revision they wait for; thread-safe. It keeps the
 * revision reached so far itself, so a waiter registered while the cache moves on cannot miss its moment.
 */
final class RevisionWaiters {
  private final NavigableMap<Long, List<CompletableFuture<Long>>> waiting = new TreeMap<>();
  private long reached;
  private boolean closed;

  /** A future completed with the cache's revision once it reaches {@code target}. */
  synchronized CompletableFuture<Long> await(long target) {
    if (closed) {
      return CompletableFuture.failedFuture(new CancellationException("the cache is closed"));
    }
    if (reached >= target) {
      return CompletableFuture.completedFuture(reached);
    }
    CompletableFuture<Long> future = new CompletableFuture<>();
    waiting.computeIfAbsent(target, t -> new ArrayList<>()).add(future);
    return future;
  }

  synchronized boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** The cache reached {@code revision}: completes every waiter whose target is at most that. */
  void reached(long revision) {
    List<CompletableFuture<Long>> done = new ArrayList<>();
    synchronized (this) {
      reached = Math.max(reached, revision);
      var head = waiting.headMap(revision, true);
      head.values().forEach(done::addAll);
      head.clear();
    }
    // outside the lock: dependent stages run here
    done.forEach(f -> f.complete(revision));
  }

  void close() {
    List<CompletableFuture<Long>> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      waiting.values().forEach(all::addAll);
      waiting.clear();
    }
    all.forEach(f -> f.completeExceptionally(new CancellationException("the cache is closed")));
  }
}
