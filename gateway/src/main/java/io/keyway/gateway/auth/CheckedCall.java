package io.keyway.gateway.auth;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.store.auth.AuthInfo;
import io.keyway.store.auth.AuthStore;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** A request of an identified caller: sent once its permission check passed (checked only while auth is on). */
final class CheckedCall {
  private CheckedCall() {}

  @FunctionalInterface
  interface Check {
    void run() throws EtcdException;
  }

  /** Whatever the request: an authenticated caller (etcd's "user name is empty" otherwise). */
  static void requireUser(AuthInfo who) throws EtcdException {
    if (who == null || who.isEmpty()) {
      throw EtcdError.USER_EMPTY.exception();
    }
  }

  static <T> CompletableFuture<T> send(AuthStore store, Check check, Supplier<CompletableFuture<T>> call) {
    if (store.isEnabled()) {
      try {
        check.run();
      } catch (EtcdException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return call.get();
  }
}
