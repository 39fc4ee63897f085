package io.keyway.client.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RevisionWaitersTest {

  @Test
  void waitersCompleteOnceTheirRevisionIsReached() {
    RevisionWaiters waiters = new RevisionWaiters();
    waiters.reached(5);
    assertEquals(5, waiters.await(5).join());
    CompletableFuture<Long> seven = waiters.await(7);
    CompletableFuture<Long> nine = waiters.await(9);
    waiters.reached(8);
    assertEquals(8, seven.join());
    assertFalse(nine.isDone());
    waiters.close();
    assertThrows(CancellationException.class, nine::join);
    assertTrue(waiters.await(1).isCompletedExceptionally());
  }
}
