package io.keyway.raft.statemachine;

/** The proposer's side of apply: who, on this member, waits for the result of a request id. */
public interface ResultWaiters {
  /**
   * Removes and returns the waiter for {@code requestId}, or null if the request was proposed elsewhere (or its
   * waiter already gave up). Called on the apply thread: must not block.
   */
  Waiter claim(long requestId);

  interface Waiter {
    /** Delivers a response message or an {@link io.keyway.api.EtcdException}; runs off the apply thread. */
    void complete(Object result);
  }
}
