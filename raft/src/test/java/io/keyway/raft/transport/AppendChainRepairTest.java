package io.keyway.raft.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A failed append chain no longer fails every later append once repaired. */
class AppendChainRepairTest {

  @Test
  void aFailedChainFailsEveryLaterAppendUntilRepaired() throws Exception {
    AtomicReference<CompletableFuture<Void>> chain =
        new AtomicReference<>(CompletableFuture.failedFuture(new IllegalStateException("Already running a method")));
    // what Ratis does per append: the next stage of a failed chain never runs its append
    CompletableFuture<Void> poisoned = chain.get().thenComposeAsync(v -> CompletableFuture.completedFuture(null));
    assertTrue(poisoned.handle((v, t) -> t != null).get(10, TimeUnit.SECONDS));

    AppendChainRepair repair = AppendChainRepair.forTest(chain);
    assertTrue(repair.repairIfFailed());
    boolean[] ran = new boolean[1];
    chain.updateAndGet(f -> f.thenComposeAsync(v -> {
      ran[0] = true;
      return CompletableFuture.<Void>completedFuture(null);
    })).get(10, TimeUnit.SECONDS);
    assertTrue(ran[0], "the append after the repair ran");
  }

  @Test
  void aHealthyOrPendingChainIsLeftAlone() {
    CompletableFuture<Void> pending = new CompletableFuture<>();
    AtomicReference<CompletableFuture<Void>> chain = new AtomicReference<>(pending);
    assertFalse(AppendChainRepair.forTest(chain).repairIfFailed());
    assertTrue(chain.get() == pending);
    chain.set(CompletableFuture.completedFuture(null));
    assertFalse(AppendChainRepair.forTest(chain).repairIfFailed());
  }
}
