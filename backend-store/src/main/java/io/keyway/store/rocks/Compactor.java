package io.keyway.store.rocks;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Physical compaction: deletes the revisions a logical compaction dropped from the index, on one background
 * thread, in revision order and in bounded batches so the apply thread is never blocked for long.
 *
 * <p>Crash safety needs no bookkeeping: the index is rebuilt from disk on open and compacted again at the
 * persisted compaction revision, which yields whatever this thread had not deleted yet. Deleting in
 * ascending order means the WAL recovers a prefix of the deletions, never a history with holes in the
 * middle.
 */
public final class Compactor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Compactor.class);

  private final RocksBackend backend;
  private final int batchSize;
  private final ExecutorService executor;
  private volatile boolean stopping;

  public Compactor(RocksBackend backend, int batchSize) {
    this.backend = backend;
    this.batchSize = batchSize;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "keyway-store-compactor");
      t.setDaemon(true);
      return t;
    });
  }

  /** Deletes {@code keys} (revision keys, any order); the future completes when they are gone. */
  public CompletableFuture<Void> schedule(List<byte[]> keys) {
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    keys.sort(Arrays::compareUnsigned);
    CompletableFuture<Void> done = new CompletableFuture<>();
    executor.execute(() -> {
      try {
        delete(keys);
        done.complete(null);
      } catch (Throwable t) {
        if (!(t instanceof CancellationException)) {
          log.error("physical compaction failed; it is retried when the store is next opened", t);
        }
        done.completeExceptionally(t);
      }
    });
    return done;
  }

  private void delete(List<byte[]> keys) {
    for (int from = 0; from < keys.size(); from += batchSize) {
      if (stopping) {
        throw new CancellationException("store closing");
      }
      try (WriteBatch batch = new WriteBatch()) {
        for (byte[] key : keys.subList(from, Math.min(keys.size(), from + batchSize))) {
          backend.deleteRevision(batch, key);
        }
        backend.write(batch);
      }
    }
  }

  /** Stops after the batch in progress; the rest is redone on the next open. */
  @Override
  public void close() {
    stopping = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
        log.warn("physical compaction did not stop within 60s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
