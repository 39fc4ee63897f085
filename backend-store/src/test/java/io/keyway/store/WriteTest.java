package io.keyway.store;

import static io.keyway.store.Reqs.*;
import static io.keyway.store.StoreFixture.error;
import static org.junit.jupiter.api.Assertions.*;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteTest {
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

  private KeyValue kv(String key) {
    var r = s.range(get(key));
    return r.getKvsCount() == 0 ? null : r.getKvs(0);
  }

  @Test
  void revisionArithmeticAndVersionReset() {
    assertEquals(1, s.revision());
    assertEquals(2, s.put(f.next(), put("a", "1")).getHeader().getRevision());
    assertEquals(3, s.put(f.next(), put("a", "2")).getHeader().getRevision());
    KeyValue a = kv("a");
    assertEquals(2, a.getCreateRevision());
    assertEquals(3, a.getModRevision());
    assertEquals(2, a.getVersion());
    DeleteRangeResponse d = s.deleteRange(f.next(), del("a"));
    assertEquals(1, d.getDeleted());
    assertEquals(4, d.getHeader().getRevision());
    // deleting nothing keeps the revision
    DeleteRangeResponse none = s.deleteRange(f.next(), del("a"));
    assertEquals(0, none.getDeleted());
    assertEquals(4, none.getHeader().getRevision());
    assertEquals(4, s.revision());
    // a new incarnation starts at version 1
    s.put(f.next(), put("a", "3"));
    a = kv("a");
    assertEquals(5, a.getCreateRevision());
    assertEquals(1, a.getVersion());
    // reads never bump
    s.range(all());
    assertEquals(5, s.revision());
  }

  @Test
  void putPrevKvAndIgnoreFlags() {
    PutResponse first = s.put(f.next(), put("a", "1", 1).toBuilder().setPrevKv(true).build());
    assertFalse(first.hasPrevKv());
    PutResponse second = s.put(f.next(), put("a", "2", 1).toBuilder().setPrevKv(true).build());
    assertEquals("1", second.getPrevKv().getValue().toStringUtf8());
    assertEquals(2, second.getPrevKv().getModRevision());

    s.put(f.next(), PutRequest.newBuilder().setKey(bs("a")).setIgnoreValue(true).build());
    assertEquals("2", kv("a").getValue().toStringUtf8());
    assertEquals(0, kv("a").getLease(), "a put without lease detaches");

    s.put(f.next(), put("a", "3", 2));
    s.put(f.next(), put("a", "4").toBuilder().setIgnoreLease(true).build());
    assertEquals(2, kv("a").getLease());
    assertEquals("4", kv("a").getValue().toStringUtf8());

    long rev = s.revision();
    assertEquals(EtcdError.KEY_NOT_FOUND,
        error(() -> s.put(f.next(), PutRequest.newBuilder().setKey(bs("zz")).setIgnoreValue(true).build())));
    assertEquals(EtcdError.KEY_NOT_FOUND,
        error(() -> s.put(f.next(), PutRequest.newBuilder().setKey(bs("zz")).setIgnoreLease(true).build())));
    assertEquals(EtcdError.VALUE_PROVIDED,
        error(() -> s.put(f.next(), put("a", "x").toBuilder().setIgnoreValue(true).build())));
    assertEquals(EtcdError.LEASE_PROVIDED,
        error(() -> s.put(f.next(), put("a", "x", 1).toBuilder().setIgnoreLease(true).build())));
    assertEquals(EtcdError.KEY_NOT_PROVIDED, error(() -> s.put(f.next(), put("", "x"))));
    assertEquals(rev, s.revision(), "failed writes change nothing");
    assertEquals(f.index, s.appliedIndex(), "but they are applied");

    s.put(f.next(), put("empty", ""));
    assertTrue(kv("empty").getValue().isEmpty());
    assertEquals(1, kv("empty").getVersion());
  }

  @Test
  void leaseAttachDetachAndUnknownLease() {
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> s.put(f.next(), put("a", "1", 42))));
    // an unknown lease is reported before a missing key
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> s.put(f.next(),
        PutRequest.newBuilder().setKey(bs("zz")).setIgnoreValue(true).setLease(42).build())));
    assertEquals(1, s.revision());

    s.put(f.next(), put("a", "1", 1));
    s.put(f.next(), put("b", "1", 1));
    assertEquals(Map.of(bs("a"), 1L, bs("b"), 1L), f.leases.attachments);
    s.put(f.next(), put("a", "2", 2));   // moves a from lease 1 to 2
    s.put(f.next(), put("b", "2"));      // detaches b
    assertEquals(Map.of(bs("a"), 2L), f.leases.attachments);
    s.deleteRange(f.next(), del("a"));   // deleting detaches
    assertEquals(Map.of(), f.leases.attachments);
    assertEquals(List.of("attach 1 a", "attach 1 b", "detach 1 a", "attach 2 a", "detach 1 b", "detach 2 a"),
        f.leases.calls);

    // without a lessor every lease is unknown
    s.setLeaseHooks(LeaseHooks.NONE);
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> s.put(f.next(), put("c", "1", 1))));
  }

  @Test
  void installingLeaseHooksReplaysAttachments() {
    s.put(f.next(), put("a", "1", 3));
    s.put(f.next(), put("b", "1", 4));
    s.put(f.next(), put("c", "1"));
    StoreFixture.TestLeases fresh = new StoreFixture.TestLeases();
    s.setLeaseHooks(fresh);
    assertEquals(Map.of(bs("a"), 3L, bs("b"), 4L), fresh.attachments);
  }

  @Test
  void deleteRangePrevKvsAndEvents() {
    s.put(f.next(), put("a", "1"));
    s.put(f.next(), put("b", "1"));
    s.put(f.next(), put("b", "2"));
    s.put(f.next(), put("c", "1"));
    f.events.clear();
    f.revisions.clear();
    DeleteRangeResponse d = s.deleteRange(f.next(), del("a", "c").toBuilder().setPrevKv(true).build());
    assertEquals(2, d.getDeleted());
    assertEquals(List.of("a", "b"), d.getPrevKvsList().stream().map(kv -> kv.getKey().toStringUtf8()).toList());
    assertEquals("2", d.getPrevKvs(1).getValue().toStringUtf8());
    assertEquals(6, d.getHeader().getRevision());
    assertEquals(List.of(6L), f.revisions);
    List<Event> evs = f.events.get(0);
    assertEquals(2, evs.size());
    for (Event e : evs) {
      assertEquals(Event.EventType.DELETE, e.getType());
      assertEquals(KeyValue.newBuilder().setKey(e.getKv().getKey()).setModRevision(6).build(), e.getKv());
      assertTrue(e.hasPrevKv());
    }
    assertEquals(4, evs.get(1).getPrevKv().getModRevision());
    // "\0" deletes everything from the key on
    assertEquals(1, s.deleteRange(f.next(), DeleteRangeRequest("a")).getDeleted());
    assertEquals(0, s.range(all()).getCount());
  }

  private static io.keyway.api.etcdserverpb.DeleteRangeRequest DeleteRangeRequest(String from) {
    return io.keyway.api.etcdserverpb.DeleteRangeRequest.newBuilder().setKey(bs(from)).setRangeEnd(ZERO).build();
  }

  @Test
  void putEventsCarryPrevKvExceptForCreations() {
    s.put(f.next(), put("a", "1"));
    s.put(f.next(), put("a", "2", 1));
    assertEquals(List.of(2L, 3L), f.revisions);
    Event create = f.events.get(0).get(0);
    assertEquals(Event.EventType.PUT, create.getType());
    assertFalse(create.hasPrevKv());
    assertEquals(KeyValue.newBuilder().setKey(bs("a")).setValue(bs("1")).setCreateRevision(2).setModRevision(2)
        .setVersion(1).build(), create.getKv());
    Event update = f.events.get(1).get(0);
    assertEquals(create.getKv(), update.getPrevKv());
    assertEquals(1, update.getKv().getLease());
    assertEquals(2, update.getKv().getVersion());
  }

  @Test
  void failedAndEmptyWritesPublishNothing() {
    s.deleteRange(f.next(), del("nothing"));
    s.txn(f.next(), txn());
    assertThrows(Exception.class, () -> s.put(f.next(), put("a", "1", 77)));
    assertTrue(f.events.isEmpty());
  }
}
