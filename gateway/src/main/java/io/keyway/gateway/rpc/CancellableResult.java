package io.keyway.gateway.rpc;

import java.util.concurrent.CompletableFuture;

/**
 * The result of an RPC that waits (a lock, a campaign) and must give up when its caller does: the transports
 * cancel it when the client cancels the call or goes away, and the RPC then abandons its wait and undoes what
 * it started (as etcd's lock and election servers do when their request context ends). Other RPCs return
 * plain futures, which the transports never cancel.
 */
public final class CancellableResult<T> extends CompletableFuture<T> {
  /** Cancels this result: the RPC's own cleanup runs; a completed result is left as it is. */
  public void abandon() {
    cancel(false);
  }
}
