package io.keyway.gateway.testing;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

public final class Await {
  private Await() {}

  public static <T> T result(Future<T> future, long timeout, TimeUnit unit) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout, unit);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("future did not complete in " + timeout + " " + unit, e);
    }
  }
}
