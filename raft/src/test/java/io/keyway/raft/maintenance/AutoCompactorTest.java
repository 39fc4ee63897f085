package io.keyway.raft.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.CompactionRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AutoCompactorTest {
  private final AtomicLong revision = new AtomicLong(1);
  private final AtomicBoolean leading = new AtomicBoolean(true);
  private final List<Long> proposed = new CopyOnWriteArrayList<>();
  private volatile boolean alreadyCompacted;
  private AutoCompactor compactor;

  @AfterEach
  void close() {
    System.clearProperty(AutoCompactor.REVISION_INTERVAL_PROPERTY);
    if (compactor != null) {
      compactor.close();
    }
  }

  private CompletableFuture<?> compact(CompactionRequest request) {
    proposed.add(request.getRevision());
    return alreadyCompacted ? CompletableFuture.failedFuture(EtcdError.COMPACTED.exception())
        : CompletableFuture.completedFuture(null);
  }

  private AutoCompactor start(String mode, Duration retention) {
    return AutoCompactor.start(mode, retention, revision::get, leading::get, this::compact, 5000);
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  @Test
  void zeroRetentionDisables() {
    assertNull(start("periodic", Duration.ZERO));
  }

  @Test
  void revisionModeKeepsTheLastRevisionsOnTheLeaderOnly() throws InterruptedException {
    System.setProperty(AutoCompactor.REVISION_INTERVAL_PROPERTY, "20");
    revision.set(5);
    leading.set(false);
    compactor = start("revision", Duration.ofNanos(10));
    Thread.sleep(200);
    assertEquals(List.of(), proposed, "nothing to compact below the retention, and not leading");
    revision.set(100);
    Thread.sleep(200);
    assertEquals(List.of(), proposed, "a member that does not lead proposes nothing");
    leading.set(true);
    await("a compaction", () -> !proposed.isEmpty());
    Thread.sleep(200);
    assertEquals(List.of(90L), proposed, "once per new target revision");
    alreadyCompacted = true; // "already compacted" counts as done
    revision.set(150);
    await("the next compaction", () -> proposed.size() == 2);
    Thread.sleep(200);
    assertEquals(List.of(90L, 140L), proposed);
  }

  @Test
  void periodicModeCompactsToTheRevisionOneRetentionAgo() throws InterruptedException {
    // retention 1 s: the revision is recorded every 100 ms and nothing is compacted within the first second
    long started = System.nanoTime();
    compactor = start("periodic", Duration.ofSeconds(1));
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = new Thread(() -> {
      while (writing.get()) {
        revision.incrementAndGet();
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    writer.start();
    try {
      await("a compaction", () -> !proposed.isEmpty());
      assertTrue(System.nanoTime() - started >= Duration.ofSeconds(1).toNanos(), "compacted within the retention");
      long target = proposed.get(0);
      assertTrue(target >= 1 && target < revision.get(), "target " + target + ", now " + revision.get());
      await("a second compaction", () -> proposed.size() >= 2);
      assertTrue(proposed.get(1) > target, proposed.toString());
    } finally {
      writing.set(false);
      writer.join();
    }
  }
}
