package io.keyway.raft.statemachine;

import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.store.lease.Lessor;

/**
 * The lease part of the state machine: grants, revokes and checkpoints go to the lessor, which persists them with the
 * applied position (a revoke deletes the lease's keys in the same write). Other requests go to {@code next}.
 */
public final class LeaseApplier implements RequestApplier {
  private final Lessor lessor;
  private final RequestApplier next;

  public LeaseApplier(Lessor lessor, RequestApplier next) {
    this.lessor = lessor;
    this.next = next;
  }

  @Override
  public Object apply(long index, int part, RaftRequest request) throws EtcdException {
    return switch (request.getRequestCase()) {
      case LEASE_GRANT -> lessor.grant(index, part, request.getLeaseGrant());
      case LEASE_REVOKE -> lessor.revoke(index, part, request.getLeaseRevoke());
      case LEASE_CHECKPOINT -> lessor.checkpoint(index, part, request.getLeaseCheckpoint().getCheckpointsList());
      default -> next.apply(index, part, request);
    };
  }
}
