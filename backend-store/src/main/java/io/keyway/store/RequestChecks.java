package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * etcd's request validation (v3rpc {@code checkRangeRequest}, {@code checkPutRequest},
 * {@code checkDeleteRequest}, {@code checkTxnRequest}, {@code checkIntervals}). Run by the layers above
 * before a request is proposed, and again by the store when it applies an entry, so a malformed entry in
 * the log can never corrupt state. Stateless; every method throws an {@link EtcdException} with etcd's
 * error or returns normally.
 */
public final class RequestChecks {
  private RequestChecks() {}

  public static void checkRange(RangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw EtcdError.KEY_NOT_PROVIDED.exception();
    }
    // etcd 3.5 accepts any sort order number and sorts only for ASCEND/DESCEND (NONE with a non-KEY target
    // means ASCEND). An unknown sort target on a request that does sort crashes 3.4/3.5 (nil sorter); we
    // answer 3.6's error there instead, and nowhere else.
    int order = r.getSortOrderValue();
    int target = r.getSortTargetValue();
    boolean sorts = order == RangeRequest.SortOrder.NONE_VALUE
        || order == RangeRequest.SortOrder.ASCEND_VALUE
        || order == RangeRequest.SortOrder.DESCEND_VALUE;
    if (sorts && (target < 0 || target > RangeRequest.SortTarget.VALUE_VALUE)) {
      throw EtcdError.INVALID_SORT_OPTION.exception();
    }
  }

  public static void checkPut(PutRequest r) {
    if (r.getKey().isEmpty()) {
      throw EtcdError.KEY_NOT_PROVIDED.exception();
    }
    if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
      throw EtcdError.VALUE_PROVIDED.exception();
    }
    if (r.getIgnoreLease() && r.getLease() != 0) {
      throw EtcdError.LEASE_PROVIDED.exception();
    }
  }

  public static void checkDeleteRange(DeleteRangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw EtcdError.KEY_NOT_PROVIDED.exception();
    }
  }

  /**
   * All of etcd's txn checks in etcd's order: sizes and keys recursively ({@code checkTxnRequest}), then
   * put/delete overlaps of the success branch, then of the failure branch ({@code checkIntervals}).
   */
  public static void checkTxn(TxnRequest r, int maxTxnOps) {
    checkTxnOps(r, maxTxnOps);
    checkIntervals(r.getSuccessList());
    checkIntervals(r.getFailureList());
  }

  /** True when every op of both branches is a Range (etcd's {@code isTxnReadonly}; nested txns count as writes). */
  public static boolean isReadOnly(TxnRequest r) {
    for (RequestOp op : r.getSuccessList()) {
      if (!op.hasRequestRange()) {
        return false;
      }
    }
    for (RequestOp op : r.getFailureList()) {
      if (!op.hasRequestRange()) {
        return false;
      }
    }
    return true;
  }

  /** True when the txn is read-only and every Range in it is serializable (etcd's {@code isTxnSerializable}). */
  public static boolean isSerializable(TxnRequest r) {
    for (RequestOp op : r.getSuccessList()) {
      if (!op.hasRequestRange() || !op.getRequestRange().getSerializable()) {
        return false;
      }
    }
    for (RequestOp op : r.getFailureList()) {
      if (!op.hasRequestRange() || !op.getRequestRange().getSerializable()) {
        return false;
      }
    }
    return true;
  }

  private static void checkTxnOps(TxnRequest r, int maxTxnOps) {
    int opc = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
    if (opc > maxTxnOps) {
      throw EtcdError.TOO_MANY_OPS.exception();
    }
    for (Compare c : r.getCompareList()) {
      if (c.getKey().isEmpty()) {
        throw EtcdError.KEY_NOT_PROVIDED.exception();
      }
    }
    // nested txns share what is left of the budget, as in etcd
    for (RequestOp op : r.getSuccessList()) {
      checkRequestOp(op, maxTxnOps - opc);
    }
    for (RequestOp op : r.getFailureList()) {
      checkRequestOp(op, maxTxnOps - opc);
    }
  }

  private static void checkRequestOp(RequestOp op, int maxTxnOps) {
    switch (op.getRequestCase()) {
      case REQUEST_RANGE -> checkRange(op.getRequestRange());
      case REQUEST_PUT -> checkPut(op.getRequestPut());
      case REQUEST_DELETE_RANGE -> checkDeleteRange(op.getRequestDeleteRange());
      case REQUEST_TXN -> checkTxnOps(op.getRequestTxn(), maxTxnOps);
      default -> throw EtcdError.KEY_NOT_FOUND.exception(); // empty op
    }
  }

  /** Puts and deletes collected from one list of ops and its nested txns. */
  private record Intervals(Set<ByteString> puts, DeleteSet dels) {}

  /**
   * etcd's {@code checkIntervals}: a put may not repeat another put, nor fall in a delete of the same level,
   * of an enclosing level, or of an earlier sibling's nested txn; the two branches of one nested txn may put
   * the same key. Faithful to etcd's ordering, including its blind spots (a put in a nested txn is not
   * checked against deletes of a later sibling; a delete with {@code range_end "\0"} conflicts with nothing,
   * because etcd compares against the literal end {@code "\0"}).
   */
  private static Intervals checkIntervals(List<RequestOp> reqs) {
    DeleteSet dels = new DeleteSet();
    for (RequestOp op : reqs) {
      if (op.hasRequestDeleteRange()) {
        DeleteRangeRequest d = op.getRequestDeleteRange();
        if (d.getRangeEnd().isEmpty()) {
          dels.add(d.getKey(), pointEnd(d.getKey()));
        } else {
          dels.add(d.getKey(), d.getRangeEnd());
        }
      }
    }
    Set<ByteString> puts = new HashSet<>();
    for (RequestOp op : reqs) {
      if (!op.hasRequestTxn()) {
        continue;
      }
      Intervals then = checkIntervals(op.getRequestTxn().getSuccessList());
      Intervals otherwise = checkIntervals(op.getRequestTxn().getFailureList());
      for (ByteString k : then.puts()) {
        if (puts.contains(k) || dels.covers(k)) {
          throw EtcdError.DUPLICATE_KEY.exception();
        }
        puts.add(k);
      }
      for (ByteString k : otherwise.puts()) {
        if (puts.contains(k) && !then.puts().contains(k)) {
          throw EtcdError.DUPLICATE_KEY.exception();
        }
        if (dels.covers(k)) {
          throw EtcdError.DUPLICATE_KEY.exception();
        }
        puts.add(k);
      }
      dels.addAll(then.dels());
      dels.addAll(otherwise.dels());
    }
    for (RequestOp op : reqs) {
      if (!op.hasRequestPut()) {
        continue;
      }
      ByteString k = op.getRequestPut().getKey();
      if (puts.contains(k) || dels.covers(k)) {
        throw EtcdError.DUPLICATE_KEY.exception();
      }
      puts.add(k);
    }
    return new Intervals(puts, dels);
  }

  /** etcd's point interval [k, k+"\0"). */
  private static ByteString pointEnd(ByteString k) {
    return k.concat(ByteString.copyFrom(new byte[] {0}));
  }

  /**
   * The union of delete intervals [begin, end), kept as disjoint merged intervals: etcd only ever asks
   * whether some interval contains a key, which is whether the union covers it. Empty or inverted
   * intervals (begin >= end) cover nothing, exactly as in etcd's interval tree.
   */
  private static final class DeleteSet {
    private final TreeMap<ByteString, ByteString> spans =
        new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    void add(ByteString begin, ByteString end) {
      if (cmp(begin, end) >= 0) {
        return;
      }
      ByteString b = begin;
      ByteString e = end;
      Map.Entry<ByteString, ByteString> floor = spans.floorEntry(b);
      if (floor != null && cmp(floor.getValue(), b) >= 0) {
        b = floor.getKey();
        if (cmp(floor.getValue(), e) > 0) {
          e = floor.getValue();
        }
        spans.remove(floor.getKey());
      }
      while (true) {
        Map.Entry<ByteString, ByteString> next = spans.ceilingEntry(b);
        if (next == null || cmp(next.getKey(), e) > 0) {
          break;
        }
        if (cmp(next.getValue(), e) > 0) {
          e = next.getValue();
        }
        spans.remove(next.getKey());
      }
      spans.put(b, e);
    }

    void addAll(DeleteSet other) {
      for (Map.Entry<ByteString, ByteString> span : other.spans.entrySet()) {
        add(span.getKey(), span.getValue());
      }
    }

    boolean covers(ByteString k) {
      Map.Entry<ByteString, ByteString> floor = spans.floorEntry(k);
      return floor != null && cmp(k, floor.getValue()) < 0;
    }

    private static int cmp(ByteString a, ByteString b) {
      return ByteString.unsignedLexicographicalComparator().compare(a, b);
    }
  }
}
