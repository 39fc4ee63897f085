package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import java.nio.charset.StandardCharsets;

/** Request builders for tests. */
final class Reqs {
  private Reqs() {}

  static ByteString bs(String s) {
    return ByteString.copyFrom(s, StandardCharsets.ISO_8859_1);
  }

  static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

  static PutRequest put(String k, String v) {
    return PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v)).build();
  }

  static PutRequest put(String k, String v, long lease) {
    return PutRequest.newBuilder().setKey(bs(k)).setValue(bs(v)).setLease(lease).build();
  }

  static RangeRequest get(String k) {
    return RangeRequest.newBuilder().setKey(bs(k)).build();
  }

  static RangeRequest range(String k, String end) {
    return RangeRequest.newBuilder().setKey(bs(k)).setRangeEnd(bs(end)).build();
  }

  static RangeRequest all() {
    return RangeRequest.newBuilder().setKey(ZERO).setRangeEnd(ZERO).build();
  }

  static DeleteRangeRequest del(String k) {
    return DeleteRangeRequest.newBuilder().setKey(bs(k)).build();
  }

  static DeleteRangeRequest del(String k, String end) {
    return DeleteRangeRequest.newBuilder().setKey(bs(k)).setRangeEnd(bs(end)).build();
  }

  static RequestOp op(PutRequest p) {
    return RequestOp.newBuilder().setRequestPut(p).build();
  }

  static RequestOp op(RangeRequest r) {
    return RequestOp.newBuilder().setRequestRange(r).build();
  }

  static RequestOp op(DeleteRangeRequest d) {
    return RequestOp.newBuilder().setRequestDeleteRange(d).build();
  }

  static RequestOp op(TxnRequest t) {
    return RequestOp.newBuilder().setRequestTxn(t).build();
  }

  static TxnRequest txn(RequestOp... success) {
    TxnRequest.Builder b = TxnRequest.newBuilder();
    for (RequestOp o : success) {
      b.addSuccess(o);
    }
    return b.build();
  }

  static Compare cmpVersion(String k, Compare.CompareResult r, long v) {
    return Compare.newBuilder().setKey(bs(k)).setTarget(Compare.CompareTarget.VERSION).setResult(r).setVersion(v).build();
  }

  static Compare cmpValue(String k, Compare.CompareResult r, String v) {
    return Compare.newBuilder().setKey(bs(k)).setTarget(Compare.CompareTarget.VALUE).setResult(r).setValue(bs(v)).build();
  }
}
