package io.keyway.gateway.watch;

import io.keyway.api.etcdserverpb.WatchCreateRequest;

/** Decides whether a watch may be created (auth): the cancel reason of a refused create, or null. */
@FunctionalInterface
public interface WatchGuard {
  /**
   * @param token the caller's token as its transport carries it (null: none)
   */
  String refusal(String token, WatchCreateRequest create);
}
