package io.keyway.store.mvcc;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.ResponseOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.store.RequestChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * etcd's applier for Put, DeleteRange and Txn on one {@link WriteTxn}. Requests are assumed to have passed
 * {@link RequestChecks}; every error is thrown before the view is changed, except where noted.
 */
public final class KvOps {
  private KvOps() {}

  /** A Put request on its own: an unknown lease fails before anything else is looked at. */
  public static PutResponse put(WriteTxn tw, PutRequest p, LongPredicate leaseExists) {
    if (p.getLease() != 0 && !leaseExists.test(p.getLease())) {
      throw EtcdError.LEASE_NOT_FOUND.exception();
    }
    return applyPut(tw, p);
  }

  public static DeleteRangeResponse deleteRange(WriteTxn tw, DeleteRangeRequest d) {
    DeleteRangeResponse.Builder resp = DeleteRangeResponse.newBuilder();
    KeyRange range = KeyRange.of(d.getKey(), d.getRangeEnd());
    if (d.getPrevKv()) {
      resp.addAllPrevKvs(tw.rangeAll(range));
    }
    long deleted = tw.deleteRange(range);
    return resp.setDeleted(deleted).setHeader(header(tw.endRev())).build();
  }

  /**
   * A Txn: compares decide the branch of every level up front (against the state before the txn), then
   * all puts of the chosen branches are checked (keys for ignore_value/ignore_lease, leases), then all
   * nested ranges (revision not future, not compacted), then the ops run in order.
   *
   * <p>Unlike etcd, which panics, a put with ignore_value/ignore_lease whose key an earlier op of the same
   * txn deleted (possible only through a delete with {@code range_end "\0"}, which etcd's duplicate check
   * ignores) fails the whole txn with {@code key not found}; the caller then rolls the view back.
   */
  public static TxnResponse txn(WriteTxn tw, TxnRequest rt, LongPredicate leaseExists) {
    Plan plan = plan(tw, rt);
    if (!RequestChecks.isReadOnly(rt)) {
      checkPuts(tw, plan, leaseExists);
    }
    checkRanges(tw, plan);
    TxnResponse.Builder resp = execute(tw, plan);
    return resp.setHeader(header(tw.endRev())).build();
  }

  /** The branch taken at one level, and the plans of the nested txns in it (null for other ops). */
  private record Plan(boolean succeeded, List<RequestOp> ops, List<Plan> nested) {}

  private static Plan plan(WriteTxn tw, TxnRequest rt) {
    boolean ok = true;
    for (Compare c : rt.getCompareList()) {
      if (!Compares.holds(c, tw.rangeAll(KeyRange.of(c.getKey(), c.getRangeEnd())))) {
        ok = false;
        break;
      }
    }
    List<RequestOp> ops = ok ? rt.getSuccessList() : rt.getFailureList();
    List<Plan> nested = new ArrayList<>(ops.size());
    for (RequestOp op : ops) {
      nested.add(op.hasRequestTxn() ? plan(tw, op.getRequestTxn()) : null);
    }
    return new Plan(ok, ops, nested);
  }

  private static void checkPuts(WriteTxn tw, Plan plan, LongPredicate leaseExists) {
    for (int i = 0; i < plan.ops().size(); i++) {
      RequestOp op = plan.ops().get(i);
      if (op.hasRequestTxn()) {
        checkPuts(tw, plan.nested().get(i), leaseExists);
      } else if (op.hasRequestPut()) {
        PutRequest p = op.getRequestPut();
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && tw.get(p.getKey()) == null) {
          throw EtcdError.KEY_NOT_FOUND.exception();
        }
        if (p.getLease() != 0 && !leaseExists.test(p.getLease())) {
          throw EtcdError.LEASE_NOT_FOUND.exception();
        }
      }
    }
  }

  private static void checkRanges(WriteTxn tw, Plan plan) {
    for (int i = 0; i < plan.ops().size(); i++) {
      RequestOp op = plan.ops().get(i);
      if (op.hasRequestTxn()) {
        checkRanges(tw, plan.nested().get(i));
      } else if (op.hasRequestRange()) {
        long rev = op.getRequestRange().getRevision();
        // etcd's checkRequestRange: note that a negative revision is compared with the compaction revision
        if (rev != 0 && rev > tw.beginRev()) {
          throw EtcdError.FUTURE_REV.exception();
        }
        if (rev != 0 && rev < tw.compactRev()) {
          throw EtcdError.COMPACTED.exception();
        }
      }
    }
  }

  private static TxnResponse.Builder execute(WriteTxn tw, Plan plan) {
    TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(plan.succeeded());
    for (int i = 0; i < plan.ops().size(); i++) {
      RequestOp op = plan.ops().get(i);
      ResponseOp.Builder r = ResponseOp.newBuilder();
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> r.setResponseRange(tw.range(op.getRequestRange()));
        case REQUEST_PUT -> r.setResponsePut(applyPut(tw, op.getRequestPut()));
        case REQUEST_DELETE_RANGE -> r.setResponseDeleteRange(deleteRange(tw, op.getRequestDeleteRange()));
        case REQUEST_TXN -> r.setResponseTxn(
            // a nested txn's header is present but empty, as etcd's newTxnResp leaves it
            execute(tw, plan.nested().get(i)).setHeader(ResponseHeader.getDefaultInstance()));
        default -> throw EtcdError.KEY_NOT_FOUND.exception();
      }
      resp.addResponses(r);
    }
    return resp;
  }

  /** etcd's applier Put inside a write: previous value for the ignore flags and prev_kv, then the put. */
  private static PutResponse applyPut(WriteTxn tw, PutRequest p) {
    KeyValue prev = null;
    if (p.getIgnoreValue() || p.getIgnoreLease() || p.getPrevKv()) {
      prev = tw.get(p.getKey());
    }
    if ((p.getIgnoreValue() || p.getIgnoreLease()) && prev == null) {
      throw EtcdError.KEY_NOT_FOUND.exception();
    }
    PutResponse.Builder resp = PutResponse.newBuilder();
    if (p.getPrevKv() && prev != null) {
      resp.setPrevKv(prev);
    }
    tw.put(p.getKey(),
        p.getIgnoreValue() ? prev.getValue() : p.getValue(),
        p.getIgnoreLease() ? prev.getLease() : p.getLease());
    return resp.setHeader(header(tw.endRev())).build();
  }

  /** A response header that carries only {@code revision}; the layers above add cluster, member and term. */
  public static ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder().setRevision(revision).build();
  }
}
