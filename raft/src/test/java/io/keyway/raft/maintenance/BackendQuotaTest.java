package io.keyway.raft.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendQuotaTest {
  private static PutRequest put(int keyBytes, int valueBytes) {
    return PutRequest.newBuilder().setKey(ByteString.copyFrom(new byte[keyBytes]))
        .setValue(ByteString.copyFrom(new byte[valueBytes])).build();
  }

  @Test
  void costsFollowEtcd() {
    assertEquals(256 + 3 + 10, BackendQuota.cost(put(3, 10)));
    RequestOp read = RequestOp.newBuilder().setRequestRange(RangeRequest.getDefaultInstance()).build();
    TxnRequest inner = TxnRequest.newBuilder().addFailure(RequestOp.newBuilder().setRequestPut(put(1, 1))).build();
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestPut(put(1, 100)))
        .addSuccess(read)
        .addFailure(RequestOp.newBuilder().setRequestPut(put(1, 1)))
        .addFailure(RequestOp.newBuilder().setRequestTxn(inner))
        .build();
    // success: one put of 101 bytes; failure: a put of 2 bytes plus a nested txn with another: the larger wins
    assertEquals(2 * (256 + 2), BackendQuota.cost(txn), "the larger branch; nested txns count their puts");
    assertEquals(0, BackendQuota.cost(TxnRequest.newBuilder().addSuccess(read).build()));
    assertEquals(64, BackendQuota.cost(LeaseGrantRequest.getDefaultInstance()));
  }

  @Test
  void limitsFollowEtcd() {
    AtomicLong size = new AtomicLong(1000);
    BackendQuota quota = BackendQuota.of(1300, size::get);
    assertTrue(quota.available(299));
    assertFalse(quota.available(300), "size + cost must stay below the quota");
    assertTrue(quota.available(0), "requests that add nothing always pass");
    assertEquals(BackendQuota.DEFAULT_BYTES, BackendQuota.of(0, size::get).limit());
    size.set(Long.MAX_VALUE / 2);
    assertTrue(BackendQuota.of(-1, size::get).available(1_000_000), "negative disables");
    assertEquals(16L << 30, BackendQuota.of(16L << 30, size::get).limit(), "above 8 GiB only warns");
  }
}
