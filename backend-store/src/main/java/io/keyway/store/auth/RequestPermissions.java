package io.keyway.store.auth;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The key permissions a KV request needs, as etcd 3.5.32+ checks them (CVE-2026-33343 fixes included):
 * range = READ; put = WRITE on the key, plus READ with {@code prev_kv}, plus WRITE on every key already on
 * the lease it attaches; delete = WRITE on the range, plus READ with {@code prev_kv}; txn = READ on every
 * compare and the union of all ops of both branches, nested txns included.
 *
 * <p>Checked twice: on the serving member before proposing (or before a local read), and for writes again at
 * apply time against the auth store the entry is applied on.
 */
public final class RequestPermissions {
  private final AuthStore auth;
  private final LongFunction<List<ByteString>> leaseKeys;

  /** @param leaseKeys the keys attached to a lease (empty for an unknown lease) */
  public RequestPermissions(AuthStore auth, LongFunction<List<ByteString>> leaseKeys) {
    this.auth = auth;
    this.leaseKeys = leaseKeys;
  }

  public AuthStore store() { return auth; }

  public void checkRange(AuthInfo who, RangeRequest r) throws EtcdException {
    auth.checkRead(who, r.getKey(), r.getRangeEnd());
  }

  public void checkPut(AuthInfo who, PutRequest r) throws EtcdException {
    auth.checkWrite(who, r.getKey(), ByteString.EMPTY);
    if (r.getPrevKv()) {
      auth.checkRead(who, r.getKey(), ByteString.EMPTY);
    }
    if (r.getLease() != 0) {
      for (ByteString attached : leaseKeys.apply(r.getLease())) {
        auth.checkWrite(who, attached, ByteString.EMPTY);
      }
    }
  }

  public void checkDeleteRange(AuthInfo who, DeleteRangeRequest r) throws EtcdException {
    auth.checkWrite(who, r.getKey(), r.getRangeEnd());
    if (r.getPrevKv()) {
      auth.checkRead(who, r.getKey(), r.getRangeEnd());
    }
  }

  public void checkTxn(AuthInfo who, TxnRequest r) throws EtcdException {
    for (Compare c : r.getCompareList()) {
      auth.checkRead(who, c.getKey(), c.getRangeEnd());
    }
    checkOps(who, r.getSuccessList());
    checkOps(who, r.getFailureList());
  }

  private void checkOps(AuthInfo who, List<RequestOp> ops) throws EtcdException {
    for (RequestOp op : ops) {
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> checkRange(who, op.getRequestRange());
        case REQUEST_PUT -> checkPut(who, op.getRequestPut());
        case REQUEST_DELETE_RANGE -> checkDeleteRange(who, op.getRequestDeleteRange());
        case REQUEST_TXN -> checkTxn(who, op.getRequestTxn());
        default -> { }
      }
    }
  }

  /**
   * Lease operations beyond grant: every key attached to {@code leaseId} needs WRITE (revoke, keep-alive) or
   * READ (time-to-live with keys, leases); an admin passes. The caller must already be authenticated.
   */
  public void checkLeaseKeys(AuthInfo who, long leaseId, boolean write) throws EtcdException {
    if (!auth.isEnabled() || auth.isAdmin(who)) {
      return;
    }
    for (ByteString attached : leaseKeys.apply(leaseId)) {
      if (write) {
        auth.checkWrite(who, attached, ByteString.EMPTY);
      } else {
        auth.checkRead(who, attached, ByteString.EMPTY);
      }
    }
  }
}
