package io.keyway.raft.statemachine;

import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.store.KvStore;

/** The key-space part of the state machine: put, delete range, txn and compaction go to the MVCC store. */
public final class KvApplier implements RequestApplier {
  private final KvStore store;

  public KvApplier(KvStore store) {
    this.store = store;
  }

  @Override
  public Object apply(long index, int part, RaftRequest request) throws EtcdException {
    return switch (request.getRequestCase()) {
      case PUT -> store.put(index, part, request.getPut());
      case DELETE_RANGE -> store.deleteRange(index, part, request.getDeleteRange());
      case TXN -> store.txn(index, part, request.getTxn());
      case COMPACTION -> store.compact(index, part, request.getCompaction());
      // applying nothing is deterministic too; the proposer learns the request type is not served yet
      default -> throw new EtcdException(GrpcCode.UNIMPLEMENTED,
          "keyway: request type " + request.getRequestCase() + " is not supported");
    };
  }
}
