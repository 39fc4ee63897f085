package io.keyway.raft.statemachine;

import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.raft.cluster.MemberTable;

/** The membership part of the state machine: member changes go to the member table, the rest to {@code next}. */
public final class MemberApplier implements RequestApplier {
  private final MemberTable members;
  private final RequestApplier next;

  public MemberApplier(MemberTable members, RequestApplier next) {
    this.members = members;
    this.next = next;
  }

  @Override
  public Object apply(long index, int part, RaftRequest request) throws EtcdException {
    if (request.getRequestCase() == RaftRequest.RequestCase.MEMBER_CHANGE) {
      return members.apply(index, part, request.getMemberChange());
    }
    return next.apply(index, part, request);
  }
}
