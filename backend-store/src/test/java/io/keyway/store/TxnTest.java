package io.keyway.store;

import static io.keyway.store.Reqs.*;
import static io.keyway.store.StoreFixture.error;
import static org.junit.jupiter.api.Assertions.*;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.Compare.CompareResult;
import io.keyway.api.etcdserverpb.Compare.CompareTarget;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TxnTest {
  @TempDir Path dir;
  StoreFixture f;
  KvStore s;

  @BeforeEach
  void setUp() {
    f = new StoreFixture(dir);
    s = f.store;
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private boolean holds(Compare c) {
    TxnResponse r = s.txn(f.next(), TxnRequest.newBuilder().addCompare(c).build());
    return r.getSucceeded();
  }

  private static Compare cmp(String key, CompareTarget t, CompareResult r) {
    return Compare.newBuilder().setKey(bs(key)).setTarget(t).setResult(r).build();
  }

  @Test
  void emptyTxnSucceedsAndKeepsRevision() {
    TxnResponse r = s.txn(f.next(), TxnRequest.getDefaultInstance());
    assertTrue(r.getSucceeded());
    assertEquals(1, r.getHeader().getRevision());
    assertEquals(0, r.getResponsesCount());
    assertEquals(1, s.revision());
  }

  @Test
  void comparesOnMissingKey() {
    assertTrue(holds(cmpVersion("x", CompareResult.EQUAL, 0)));
    assertTrue(holds(cmp("x", CompareTarget.CREATE, CompareResult.EQUAL).toBuilder().setCreateRevision(0).build()));
    assertTrue(holds(cmp("x", CompareTarget.MOD, CompareResult.LESS).toBuilder().setModRevision(1).build()));
    assertTrue(holds(cmp("x", CompareTarget.LEASE, CompareResult.EQUAL).toBuilder().setLease(0).build()));
    // a value compare on a missing key always fails, whatever the operator
    assertFalse(holds(cmpValue("x", CompareResult.EQUAL, "")));
    assertFalse(holds(cmpValue("x", CompareResult.NOT_EQUAL, "v")));
    assertFalse(holds(cmpValue("x", CompareResult.LESS, "v")));
  }

  @Test
  void compareTargetsAndResults() {
    s.put(f.next(), put("a", "m", 1));   // rev 2
    s.put(f.next(), put("a", "m", 1));   // rev 3, version 2
    assertTrue(holds(cmpVersion("a", CompareResult.EQUAL, 2)));
    assertTrue(holds(cmpVersion("a", CompareResult.GREATER, 1)));
    assertFalse(holds(cmpVersion("a", CompareResult.LESS, 2)));
    assertTrue(holds(cmpVersion("a", CompareResult.NOT_EQUAL, 3)));
    assertTrue(holds(cmp("a", CompareTarget.CREATE, CompareResult.EQUAL).toBuilder().setCreateRevision(2).build()));
    assertTrue(holds(cmp("a", CompareTarget.MOD, CompareResult.EQUAL).toBuilder().setModRevision(3).build()));
    assertTrue(holds(cmp("a", CompareTarget.LEASE, CompareResult.EQUAL).toBuilder().setLease(1).build()));
    assertTrue(holds(cmpValue("a", CompareResult.GREATER, "l")));
    assertTrue(holds(cmpValue("a", CompareResult.LESS, "mm")));
    assertTrue(holds(cmpValue("a", CompareResult.EQUAL, "m")));
    // a target whose union holds another field compares against 0 / empty
    assertTrue(holds(cmp("a", CompareTarget.VERSION, CompareResult.GREATER).toBuilder().setModRevision(99).build()));
    // unknown enum numbers do not crash: target compares equal, unknown result holds
    assertTrue(holds(cmp("a", CompareTarget.VERSION, CompareResult.EQUAL).toBuilder().setTargetValue(9).build()));
    assertTrue(holds(cmpVersion("a", CompareResult.EQUAL, 77).toBuilder().setResultValue(9).build()));
  }

  @Test
  void rangeComparesMustHoldForEveryKey() {
    s.put(f.next(), put("k1", "1"));
    s.put(f.next(), put("k2", "1"));
    s.put(f.next(), put("k2", "2"));
    Compare allV1 = cmpVersion("k", CompareResult.EQUAL, 1).toBuilder().setRangeEnd(bs("l")).build();
    assertFalse(holds(allV1));
    Compare allPositive = cmpVersion("k", CompareResult.GREATER, 0).toBuilder().setRangeEnd(bs("l")).build();
    assertTrue(holds(allPositive));
    Compare fromK2 = cmpVersion("k2", CompareResult.EQUAL, 2).toBuilder().setRangeEnd(ZERO).build();
    assertTrue(holds(fromK2));
    Compare emptyRangeValue = cmpValue("x", CompareResult.EQUAL, "1").toBuilder().setRangeEnd(bs("y")).build();
    assertFalse(holds(emptyRangeValue));
  }

  @Test
  void branchesAndResponses() {
    s.put(f.next(), put("a", "1"));  // rev 2
    TxnRequest t = TxnRequest.newBuilder()
        .addCompare(cmpValue("a", CompareResult.EQUAL, "1"))
        .addSuccess(op(put("a", "2").toBuilder().setPrevKv(true).build()))
        .addSuccess(op(get("a")))
        .addFailure(op(get("a")))
        .build();
    TxnResponse ok = s.txn(f.next(), t);
    assertTrue(ok.getSucceeded());
    assertEquals(3, ok.getHeader().getRevision());
    assertEquals(2, ok.getResponsesCount());
    assertEquals("1", ok.getResponses(0).getResponsePut().getPrevKv().getValue().toStringUtf8());
    assertEquals(ResponseHeader.newBuilder().setRevision(3).build(), ok.getResponses(0).getResponsePut().getHeader());
    // a later range sees the earlier put of the same txn
    assertEquals("2", ok.getResponses(1).getResponseRange().getKvs(0).getValue().toStringUtf8());
    assertEquals(3, ok.getResponses(1).getResponseRange().getHeader().getRevision());

    TxnResponse failed = s.txn(f.next(), t);
    assertFalse(failed.getSucceeded());
    assertEquals(1, failed.getResponsesCount());
    assertTrue(failed.getResponses(0).hasResponseRange());
    assertEquals(3, failed.getHeader().getRevision(), "a txn that changes nothing keeps the revision");
    assertEquals(3, s.revision());
  }

  @Test
  void manyPutsShareOneRevision() {
    TxnRequest.Builder t = TxnRequest.newBuilder();
    for (int i = 0; i < 128; i++) {
      t.addSuccess(op(put(String.format("k%03d", i), "v" + i)));
    }
    TxnResponse r = s.txn(f.next(), t.build());
    assertEquals(2, r.getHeader().getRevision());
    assertEquals(2, s.revision());
    var all = s.range(all());
    assertEquals(128, all.getCount());
    for (KeyValue kv : all.getKvsList()) {
      assertEquals(2, kv.getModRevision());
      assertEquals(2, kv.getCreateRevision());
    }
    assertEquals(List.of(2L), f.revisions);
    assertEquals(128, f.events.get(0).size());
    assertEquals("k000", f.events.get(0).get(0).getKv().getKey().toStringUtf8());
    assertEquals("k127", f.events.get(0).get(127).getKv().getKey().toStringUtf8());
    // one more op is over the store's own limit
    t.addSuccess(op(put("k128", "v")));
    assertEquals(EtcdError.TOO_MANY_OPS, error(() -> s.txn(f.next(), t.build())));
    assertEquals(2, s.revision());
  }

  @Test
  void nestedTxnHeadersAndResponses() {
    s.put(f.next(), put("a", "1")); // rev 2
    TxnRequest inner = TxnRequest.newBuilder()
        .addCompare(cmpVersion("a", CompareResult.EQUAL, 1))
        .addSuccess(op(get("b")))
        .addFailure(op(put("c", "1")))
        .build();
    TxnRequest outer = TxnRequest.newBuilder()
        .addSuccess(op(del("missing")))
        .addSuccess(op(put("b", "1")))
        .addSuccess(op(del("missing")))
        .addSuccess(op(inner))
        .build();
    TxnResponse r = s.txn(f.next(), outer);
    assertEquals(3, r.getHeader().getRevision());
    assertEquals(2, r.getResponses(0).getResponseDeleteRange().getHeader().getRevision(), "nothing changed yet");
    assertEquals(3, r.getResponses(1).getResponsePut().getHeader().getRevision());
    assertEquals(3, r.getResponses(2).getResponseDeleteRange().getHeader().getRevision(), "the txn changed already");
    TxnResponse nested = r.getResponses(3).getResponseTxn();
    assertTrue(nested.hasHeader());
    assertEquals(ResponseHeader.getDefaultInstance(), nested.getHeader(), "nested txn header is empty");
    // the nested compare was decided before the outer ops ran, so it saw version 1
    assertTrue(nested.getSucceeded());
    assertEquals("1", nested.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8());
    assertEquals(3, nested.getResponses(0).getResponseRange().getHeader().getRevision());
  }

  @Test
  void nestedComparesAreEvaluatedAtTxnStart() {
    TxnRequest inner = TxnRequest.newBuilder()
        .addCompare(cmpVersion("a", CompareResult.EQUAL, 0))
        .addSuccess(op(put("seen-missing", "1")))
        .addFailure(op(put("seen-present", "1")))
        .build();
    s.txn(f.next(), txn(op(put("a", "1")), op(inner)));
    assertEquals(1, s.range(get("seen-missing")).getCount());
    assertEquals(0, s.range(get("seen-present")).getCount());
  }

  @Test
  void checksAbortTheWholeTxn() {
    s.put(f.next(), put("a", "1"));
    long rev = s.revision();
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> s.txn(f.next(), txn(op(put("x", "1")), op(put("y", "1", 99))))));
    assertEquals(EtcdError.KEY_NOT_FOUND, error(() -> s.txn(f.next(),
        txn(op(put("x", "1")), op(PutRequest.newBuilder().setKey(bs("nope")).setIgnoreValue(true).build())))));
    assertEquals(EtcdError.FUTURE_REV, error(() -> s.txn(f.next(),
        txn(op(put("x", "1")), op(get("a").toBuilder().setRevision(rev + 1).build())))));
    // nested, in the executed branch only
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> s.txn(f.next(), txn(op(put("x", "1")),
        op(TxnRequest.newBuilder().addFailure(op(put("z", "1", 99))).addCompare(cmpVersion("a", CompareResult.EQUAL, 5)).build())))));
    s.txn(f.next(), TxnRequest.newBuilder().addSuccess(op(put("ok", "1")))
        .addFailure(op(put("z", "1", 99))).build());
    assertEquals(rev + 1, s.revision());
    assertEquals(0, s.range(get("x")).getCount());
    // put checks run before range checks, whatever the op order
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> s.txn(f.next(),
        txn(op(get("a").toBuilder().setRevision(1000).build()), op(put("y", "1", 99))))));
    assertEquals(EtcdError.DUPLICATE_KEY, error(() -> s.txn(f.next(), txn(op(put("x", "1")), op(put("x", "2"))))));
    assertEquals(rev + 1, s.revision());
  }

  @Test
  void nestedRangeAtCompactedRevision() {
    s.put(f.next(), put("a", "1"));
    s.put(f.next(), put("a", "2"));
    s.put(f.next(), put("a", "3"));
    s.compact(f.next(), CompactionRequest.newBuilder().setRevision(3).build());
    assertEquals(EtcdError.COMPACTED, error(() -> s.txn(f.next(),
        txn(op(put("x", "1")), op(get("a").toBuilder().setRevision(2).build())))));
    // etcd compares a negative nested revision with the compaction revision too
    assertEquals(EtcdError.COMPACTED, error(() -> s.txn(f.next(), txn(op(get("a").toBuilder().setRevision(-1).build())))));
    TxnResponse atCompact = s.txn(f.next(), txn(op(get("a").toBuilder().setRevision(3).build())));
    assertEquals("2", atCompact.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8());
    assertEquals(0, s.range(get("x")).getCount());
  }

  @Test
  void nestedNegativeRevisionOnAFreshStore() {
    // etcd 3.4.23 observed: -1 is not below the never-compacted floor (-1), -2 is
    assertTrue(s.txn(f.next(), txn(op(get("a").toBuilder().setRevision(-1).build()))).getSucceeded());
    assertEquals(EtcdError.COMPACTED, error(() -> s.txn(f.next(), txn(op(get("a").toBuilder().setRevision(-2).build())))));
  }

  @Test
  void txnEventsAndPutThenDeleteInOneRevision() {
    s.put(f.next(), put("a", "0"));  // rev 2
    f.events.clear();
    // put in one nested txn, delete in a later sibling: etcd's duplicate check lets this through
    TxnRequest t = txn(op(txn(op(put("a", "1")))), op(txn(op(del("a")))));
    TxnResponse r = s.txn(f.next(), t);
    assertEquals(3, r.getHeader().getRevision());
    assertEquals(0, s.range(get("a")).getCount());
    List<Event> evs = f.events.get(0);
    assertEquals(2, evs.size());
    assertEquals(Event.EventType.PUT, evs.get(0).getType());
    assertEquals(2, evs.get(0).getKv().getVersion());
    assertEquals(Event.EventType.DELETE, evs.get(1).getType());
    // both events' prev_kv is the version before the txn (what a watcher finds at revision 2)
    assertEquals("0", evs.get(0).getPrevKv().getValue().toStringUtf8());
    assertEquals("0", evs.get(1).getPrevKv().getValue().toStringUtf8());
    // history at revision 2 is intact
    assertEquals("0", s.range(get("a").toBuilder().setRevision(2).build()).getKvs(0).getValue().toStringUtf8());
  }

  @Test
  void putWithIgnoreValueAfterOpenEndedDeleteFailsCleanly() {
    s.put(f.next(), put("a", "1"));
    s.put(f.next(), put("b", "1"));
    long rev = s.revision();
    TxnRequest t = txn(op(DeleteRangeRequest.newBuilder().setKey(bs("a")).setRangeEnd(ZERO).build()),
        op(PutRequest.newBuilder().setKey(bs("b")).setIgnoreValue(true).build()));
    assertEquals(EtcdError.KEY_NOT_FOUND, error(() -> s.txn(f.next(), t)));
    assertEquals(rev, s.revision());
    assertEquals(2, s.range(all()).getCount());
    // the same without the ignore flag is fine: delete then re-create in one revision
    s.txn(f.next(), txn(op(DeleteRangeRequest.newBuilder().setKey(bs("a")).setRangeEnd(ZERO).build()), op(put("b", "2"))));
    KeyValue b = s.range(get("b")).getKvs(0);
    assertEquals(rev + 1, b.getCreateRevision());
    assertEquals(1, b.getVersion());
    assertEquals(1, s.range(all()).getCount());
  }

  @Test
  void readTxnServesOnlyReads() {
    s.put(f.next(), put("a", "1"));
    TxnResponse r = s.readTxn(TxnRequest.newBuilder().addCompare(cmpValue("a", CompareResult.EQUAL, "1"))
        .addSuccess(op(get("a"))).build());
    assertTrue(r.getSucceeded());
    assertEquals(2, r.getHeader().getRevision());
    assertEquals(2, r.getResponses(0).getResponseRange().getHeader().getRevision());
    assertThrows(IllegalArgumentException.class, () -> s.readTxn(txn(op(put("a", "2")))));
    assertEquals(EtcdError.FUTURE_REV, error(() -> s.readTxn(txn(op(get("a").toBuilder().setRevision(9).build())))));
  }
}
