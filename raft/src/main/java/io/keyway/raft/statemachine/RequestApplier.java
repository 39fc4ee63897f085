package io.keyway.raft.statemachine;

import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.RaftRequest;

/**
 * Applies one committed request to local state. Runs on the Raft apply thread, in log order, identically on
 * every member.
 *
 * <p>Returns the response message for the proposer. An {@link EtcdException} is a deterministic result (every
 * member fails the same way) and goes back to the proposer like a response. Any other exception means local
 * state can no longer be trusted (disk failure, bug): the member stops applying.
 */
@FunctionalInterface
public interface RequestApplier {
  /**
   * @param part the request's place in a group-commit entry, or {@link io.keyway.store.KvStore#WHOLE_ENTRY}
   *             when it is the entry's only request
   */
  Object apply(long index, int part, RaftRequest request) throws EtcdException;
}
