package io.keyway.store;

import static io.keyway.store.Reqs.*;
import static io.keyway.store.StoreFixture.error;
import static org.junit.jupiter.api.Assertions.*;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import org.junit.jupiter.api.Test;

class RequestChecksTest {
  private static final int MAX = 128;

  @Test
  void rangeNeedsKeyAndKnownSortOptions() {
    assertEquals(EtcdError.KEY_NOT_PROVIDED, error(() -> RequestChecks.checkRange(RangeRequest.getDefaultInstance())));
    assertEquals(EtcdError.INVALID_SORT_OPTION,
        error(() -> RequestChecks.checkRange(get("a").toBuilder().setSortTargetValue(9).build())));
    RequestChecks.checkRange(get("a").toBuilder().setSortOrderValue(5).setSortTargetValue(9).build());
    assertEquals(EtcdError.INVALID_SORT_OPTION,
        error(() -> RequestChecks.checkRange(get("a").toBuilder().setSortTargetValue(-1).build())));
    RequestChecks.checkRange(get("a").toBuilder().setSortOrderValue(2).setSortTargetValue(4).build());
  }

  @Test
  void putChecksKeyThenIgnoreFlags() {
    assertEquals(EtcdError.KEY_NOT_PROVIDED,
        error(() -> RequestChecks.checkPut(PutRequest.newBuilder().setIgnoreValue(true).setValue(bs("x")).build())));
    assertEquals(EtcdError.VALUE_PROVIDED,
        error(() -> RequestChecks.checkPut(put("a", "x").toBuilder().setIgnoreValue(true).build())));
    assertEquals(EtcdError.LEASE_PROVIDED,
        error(() -> RequestChecks.checkPut(put("a", "", 5).toBuilder().setIgnoreLease(true).build())));
    RequestChecks.checkPut(put("a", "").toBuilder().setIgnoreValue(true).setIgnoreLease(true).build());
    assertEquals(EtcdError.KEY_NOT_PROVIDED, error(() -> RequestChecks.checkDeleteRange(del(""))));
  }

  @Test
  void txnOpLimitCountsTheLargestListIncludingCompares() {
    TxnRequest.Builder compares = TxnRequest.newBuilder();
    TxnRequest.Builder success = TxnRequest.newBuilder();
    TxnRequest.Builder failure = TxnRequest.newBuilder();
    for (int i = 0; i < MAX; i++) {
      compares.addCompare(cmpVersion("k" + i, Compare.CompareResult.EQUAL, 0));
      success.addSuccess(op(put("k" + i, "v")));
      failure.addFailure(op(put("k" + i, "v")));
    }
    RequestChecks.checkTxn(compares.build(), MAX);
    RequestChecks.checkTxn(success.build(), MAX);
    RequestChecks.checkTxn(failure.build(), MAX);
    compares.addCompare(cmpVersion("x", Compare.CompareResult.EQUAL, 0));
    success.addSuccess(op(put("x", "v")));
    failure.addFailure(op(put("x", "v")));
    assertEquals(EtcdError.TOO_MANY_OPS, error(() -> RequestChecks.checkTxn(compares.build(), MAX)));
    assertEquals(EtcdError.TOO_MANY_OPS, error(() -> RequestChecks.checkTxn(success.build(), MAX)));
    assertEquals(EtcdError.TOO_MANY_OPS, error(() -> RequestChecks.checkTxn(failure.build(), MAX)));
  }

  @Test
  void nestedTxnsShareTheRemainingBudget() {
    // top level uses 100 ops, so a nested txn may have at most 28
    assertEquals(EtcdError.TOO_MANY_OPS, error(() -> RequestChecks.checkTxn(topWithNested(100, 29), MAX)));
    RequestChecks.checkTxn(topWithNested(100, 28), MAX);
  }

  private static TxnRequest topWithNested(int topOps, int nestedOps) {
    TxnRequest.Builder nested = TxnRequest.newBuilder();
    for (int i = 0; i < nestedOps; i++) {
      nested.addSuccess(op(get("n" + i)));
    }
    TxnRequest.Builder top = TxnRequest.newBuilder();
    for (int i = 0; i < topOps - 1; i++) {
      top.addSuccess(op(get("t" + i)));
    }
    top.addSuccess(op(nested.build()));
    return top.build();
  }

  @Test
  void compareWithoutKeyAndEmptyOps() {
    TxnRequest noKey = TxnRequest.newBuilder().addCompare(Compare.newBuilder().setVersion(1)).build();
    assertEquals(EtcdError.KEY_NOT_PROVIDED, error(() -> RequestChecks.checkTxn(noKey, MAX)));
    TxnRequest emptyOp = TxnRequest.newBuilder().addSuccess(RequestOp.getDefaultInstance()).build();
    assertEquals(EtcdError.KEY_NOT_FOUND, error(() -> RequestChecks.checkTxn(emptyOp, MAX)));
    TxnRequest emptyFailureOp = TxnRequest.newBuilder().addFailure(RequestOp.getDefaultInstance()).build();
    assertEquals(EtcdError.KEY_NOT_FOUND, error(() -> RequestChecks.checkTxn(emptyFailureOp, MAX)));
    TxnRequest nestedEmpty = txn(op(TxnRequest.newBuilder().addFailure(RequestOp.getDefaultInstance()).build()));
    assertEquals(EtcdError.KEY_NOT_FOUND, error(() -> RequestChecks.checkTxn(nestedEmpty, MAX)));
    assertEquals(EtcdError.KEY_NOT_PROVIDED, error(() -> RequestChecks.checkTxn(txn(op(put("", "v"))), MAX)));
    assertEquals(EtcdError.INVALID_SORT_OPTION, error(() -> RequestChecks.checkTxn(
        txn(op(get("a").toBuilder().setSortTargetValue(7).build())), MAX)));
    RequestChecks.checkTxn(TxnRequest.getDefaultInstance(), MAX);
  }

  @Test
  void duplicatePutsAndPutsInDeletedRangesOnOneLevel() {
    assertDup(txn(op(put("a", "1")), op(put("a", "2"))));
    assertDup(txn(op(put("a", "1")), op(del("a"))));
    assertDup(txn(op(del("a")), op(put("a", "1"))));
    assertDup(txn(op(put("b", "1")), op(del("a", "c"))));
    assertOk(txn(op(put("c", "1")), op(del("a", "c"))));
    assertOk(txn(op(del("a")), op(del("a"))));
    assertOk(txn(op(del("a", "c")), op(del("a", "c")), op(del("b"))));
    assertOk(txn(op(put("a", "1")), op(get("a")), op(put("b", "1"))));
    // success and failure are checked separately
    assertOk(TxnRequest.newBuilder().addSuccess(op(put("a", "1"))).addFailure(op(put("a", "2"))).build());
    // an inverted or empty delete range covers nothing
    assertOk(txn(op(put("b", "1")), op(del("c", "a"))));
  }

  @Test
  void deleteWithOpenEndConflictsWithNothingAsInEtcd() {
    // etcd's interval check uses the literal end "\0", which is below every key
    assertOk(txn(op(del("a", "\0")), op(put("b", "1"))));
    assertOk(txn(op(del("\0", "\0")), op(put("a", "1"))));
  }

  @Test
  void duplicatesAcrossNestingLevels() {
    TxnRequest nestedPutA = txn(op(put("a", "n")));
    assertDup(txn(op(put("a", "1")), op(nestedPutA)));
    assertDup(txn(op(nestedPutA), op(put("a", "1"))));
    // then/else of one nested txn may share a key...
    TxnRequest both = TxnRequest.newBuilder().addSuccess(op(put("a", "1"))).addFailure(op(put("a", "2"))).build();
    assertOk(txn(op(both)));
    // ...sibling nested txns may not
    assertDup(txn(op(nestedPutA), op(nestedPutA)));
    TxnRequest elseA = TxnRequest.newBuilder().addFailure(op(put("a", "2"))).build();
    assertDup(txn(op(nestedPutA), op(elseA)));
    // a put inside a delete of an enclosing level
    assertDup(txn(op(del("a", "c")), op(nestedPutA)));
    assertDup(txn(op(txn(op(del("a")))), op(put("a", "1"))));
    assertDup(txn(op(txn(op(txn(op(del("a", "b")))))), op(put("a", "1"))));
    // an earlier sibling's delete covers a later sibling's put
    assertDup(txn(op(txn(op(del("a")))), op(nestedPutA)));
    // but not the other way round (etcd's order of checks)
    assertOk(txn(op(nestedPutA), op(txn(op(del("a"))))));
    // deep nesting: a put two levels below a delete
    assertDup(txn(op(del("a")), op(txn(op(txn(op(put("a", "x"))))))));
  }

  @Test
  void readOnlyAndSerializable() {
    assertTrue(RequestChecks.isReadOnly(txn(op(get("a")))));
    assertTrue(RequestChecks.isReadOnly(TxnRequest.getDefaultInstance()));
    assertFalse(RequestChecks.isReadOnly(txn(op(get("a")), op(put("a", "1")))));
    assertFalse(RequestChecks.isReadOnly(txn(op(txn(op(get("a")))))));
    assertFalse(RequestChecks.isSerializable(txn(op(get("a")))));
    assertTrue(RequestChecks.isSerializable(txn(op(get("a").toBuilder().setSerializable(true).build()))));
  }

  private static void assertDup(TxnRequest t) {
    assertEquals(EtcdError.DUPLICATE_KEY, error(() -> RequestChecks.checkTxn(t, MAX)));
  }

  private static void assertOk(TxnRequest t) {
    RequestChecks.checkTxn(t, MAX);
  }
}
