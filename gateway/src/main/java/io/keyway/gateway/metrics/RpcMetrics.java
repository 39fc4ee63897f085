package io.keyway.gateway.metrics;

import com.google.protobuf.Message;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.RpcFailure;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Counts what this member's clients ask of the store, for both transports at once (they share the RPC
 * table): etcd's {@code etcd_mvcc_*_total} as its metrics transaction counts them (one per range, put or
 * delete operation, txn compares counting as ranges; a txn when a transaction did more than one), lease
 * grants and revokes, and proposals pending and failed. The counts are taken when the answer completes, on
 * whatever thread completes it; nothing here waits.
 *
 * <p>Unlike etcd, writes are counted on the member that served the client, not on every member that
 * applies them.
 */
public final class RpcMetrics {
  private static final Set<String> PROPOSALS = Set.of("etcdserverpb.KV/Put", "etcdserverpb.KV/DeleteRange",
      "etcdserverpb.KV/Compact", "etcdserverpb.Lease/LeaseGrant", "etcdserverpb.Lease/LeaseRevoke");
  /** Failures of the consensus step itself rather than answers of the applied request. */
  private static final Set<Integer> PROPOSAL_FAILURES = Set.of(GrpcCode.UNAVAILABLE, GrpcCode.DEADLINE_EXCEEDED,
      GrpcCode.CANCELLED, GrpcCode.UNKNOWN, GrpcCode.INTERNAL);

  private final ServerMetrics metrics;

  private RpcMetrics(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  /** The RPCs counted; others keep their own result type (lock and campaign waits must stay cancellable). */
  private static final Set<String> COUNTED = Set.of("etcdserverpb.KV/Range", "etcdserverpb.KV/Put",
      "etcdserverpb.KV/DeleteRange", "etcdserverpb.KV/Txn", "etcdserverpb.KV/Compact",
      "etcdserverpb.Lease/LeaseGrant", "etcdserverpb.Lease/LeaseRevoke");

  /** Counts every unary call of {@code rpcs}, whether the auth gate or the plain RPC serves it. */
  public static void instrument(EtcdRpcs rpcs, ServerMetrics metrics) {
    rpcs.withObserver(new RpcMetrics(metrics)::observe);
  }

  private CompletionStage<? extends Message> observe(String name, Message request,
      Supplier<CompletionStage<? extends Message>> call) {
    if (!COUNTED.contains(name)) {
      return call.get();
    }
    boolean proposal = PROPOSALS.contains(name) || (request instanceof TxnRequest txn && !readOnly(txn));
    if (proposal) {
      metrics.proposalsPending.inc();
    }
    return call.get().whenComplete((response, failure) -> {
      if (proposal) {
        metrics.proposalsPending.dec();
        if (failure != null && PROPOSAL_FAILURES.contains(RpcFailure.of(failure).code())) {
          metrics.proposalsFailed.inc();
        }
      }
      if (failure == null) {
        succeeded(name, request, response);
      }
    });
  }

  private void succeeded(String name, Message request, Message response) {
    switch (name) {
      case "etcdserverpb.KV/Range" -> metrics.mvccRange.inc();
      case "etcdserverpb.KV/Put" -> metrics.mvccPut.inc();
      case "etcdserverpb.KV/DeleteRange" -> metrics.mvccDelete.inc();
      case "etcdserverpb.KV/Txn" -> countTxn((TxnRequest) request, (TxnResponse) response);
      case "etcdserverpb.Lease/LeaseGrant" -> metrics.leaseGranted.inc();
      case "etcdserverpb.Lease/LeaseRevoke" -> metrics.leaseRevoked.inc();
      default -> { }
    }
  }

  private void countTxn(TxnRequest txn, TxnResponse response) {
    long[] ops = new long[3]; // ranges, puts, deletes
    ops[0] += txn.getCompareCount();
    count(response.getSucceeded() ? txn.getSuccessList() : txn.getFailureList(), response, ops);
    metrics.mvccRange.inc(ops[0]);
    metrics.mvccPut.inc(ops[1]);
    metrics.mvccDelete.inc(ops[2]);
    if (ops[0] + ops[1] + ops[2] > 1) {
      metrics.mvccTxn.inc();
    }
  }

  /** Adds the operations of the branch that ran, nested transactions included (by their responses). */
  private static void count(List<RequestOp> branch, TxnResponse response, long[] ops) {
    for (int i = 0; i < branch.size(); i++) {
      RequestOp op = branch.get(i);
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> ops[0]++;
        case REQUEST_PUT -> ops[1]++;
        case REQUEST_DELETE_RANGE -> ops[2]++;
        case REQUEST_TXN -> {
          if (i < response.getResponsesCount() && response.getResponses(i).hasResponseTxn()) {
            TxnRequest nested = op.getRequestTxn();
            TxnResponse nestedResponse = response.getResponses(i).getResponseTxn();
            ops[0] += nested.getCompareCount();
            count(nestedResponse.getSucceeded() ? nested.getSuccessList() : nested.getFailureList(),
                nestedResponse, ops);
          }
        }
        default -> { }
      }
    }
  }

  private static boolean readOnly(TxnRequest txn) {
    return readOnly(txn.getSuccessList()) && readOnly(txn.getFailureList());
  }

  private static boolean readOnly(List<RequestOp> ops) {
    for (RequestOp op : ops) {
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> { }
        case REQUEST_TXN -> {
          if (!readOnly(op.getRequestTxn())) {
            return false;
          }
        }
        default -> {
          return false;
        }
      }
    }
    return true;
  }
}
