package io.keyway.gateway.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.ResponseOp;
import io.keyway.api.etcdserverpb.StatusResponse;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written printer against protobuf's JsonFormat, byte for byte, over random messages. */
class KvJsonPrinterTest {
  private final Random random = new Random(20261206L);

  @Test
  void putResponsesMatchJsonFormat() {
    for (int i = 0; i < 3000; i++) {
      assertSame(putResponse());
    }
  }

  @Test
  void rangeAndDeleteResponsesMatchJsonFormat() {
    for (int i = 0; i < 2000; i++) {
      assertSame(rangeResponse());
      assertSame(deleteRangeResponse());
    }
  }

  @Test
  void txnResponsesMatchJsonFormat() {
    for (int i = 0; i < 1500; i++) {
      assertSame(txnResponse(2));
    }
  }

  @Test
  void watchResponsesMatchJsonFormat() {
    for (int i = 0; i < 3000; i++) {
      assertSame(watchResponse());
    }
  }

  /** Watch fan-out: the same Event instances in many watchers' responses, with slot collisions and big values. */
  @Test
  void sharedEventsInManyWatchResponsesMatchJsonFormat() {
    java.util.List<Event> pool = new java.util.ArrayList<>();
    for (int i = 0; i < 700; i++) {
      pool.add(event());
    }
    byte[] big = new byte[20_000];
    random.nextBytes(big);
    pool.add(Event.newBuilder().setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("big"))
        .setValue(ByteString.copyFrom(big)).setModRevision(9)).build());
    for (int i = 0; i < 4000; i++) {
      WatchResponse.Builder b = WatchResponse.newBuilder().setHeader(header()).setWatchId(random.nextInt(1000))
          .setFragment(random.nextInt(10) == 0);
      int n = 1 + random.nextInt(3);
      for (int k = 0; k < n; k++) {
        b.addEvents(pool.get(random.nextInt(pool.size())));
      }
      assertSame(b.build());
    }
  }

  @Test
  void emptyMessagesAndUnknownFieldsMatchJsonFormat() {
    assertSame(PutResponse.getDefaultInstance());
    assertSame(PutResponse.newBuilder().setHeader(ResponseHeader.getDefaultInstance())
        .setPrevKv(KeyValue.getDefaultInstance()).build());
    assertSame(TxnResponse.newBuilder().addResponses(ResponseOp.getDefaultInstance()).build());
    assertSame(WatchResponse.newBuilder().addEvents(Event.getDefaultInstance()).build());
    UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
        .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build();
    assertSame(PutResponse.newBuilder().setHeader(header()).setUnknownFields(unknown).build());
  }

  @Test
  void leavesCancelReasonsUnknownEventTypesAndOtherMessagesToJsonFormat() {
    WatchResponse canceled = WatchResponse.newBuilder().setCanceled(true)
        .setCancelReason("mvcc: required revision has been compacted <&'=\u2028>").build();
    assertNull(KvJsonPrinter.tryPrint(canceled));
    assertEquals(JsonCodec.printWithJsonFormat(canceled), JsonCodec.print(canceled));
    WatchResponse odd = WatchResponse.newBuilder().addEvents(Event.newBuilder().setTypeValue(7)).build();
    assertNull(KvJsonPrinter.tryPrint(odd));
    assertEquals(JsonCodec.printWithJsonFormat(odd), JsonCodec.print(odd));
    assertNull(KvJsonPrinter.tryPrint(StatusResponse.newBuilder().setVersion("3.5.0").build()));
    assertNotNull(KvJsonPrinter.tryPrint(PutResponse.getDefaultInstance()));
  }

  private static void assertSame(Message m) {
    String expected = JsonCodec.printWithJsonFormat(m);
    assertEquals(expected, KvJsonPrinter.tryPrint(m), () -> "for " + m);
    assertEquals(expected, JsonCodec.print(m));
  }

  // ---- random messages ---------------------------------------------------------------------------------

  /** Zero often (so fields are omitted), small values, and the extremes of int64/uint64. */
  private long anyLong() {
    return switch (random.nextInt(6)) {
      case 0, 1 -> 0;
      case 2 -> random.nextInt(1000);
      case 3 -> random.nextLong();
      case 4 -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
      default -> -1 - random.nextInt(10);
    };
  }

  private ByteString anyBytes() {
    int n = switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> 1 + random.nextInt(3);
      case 2 -> random.nextInt(40);
      default -> random.nextInt(300);
    };
    byte[] b = new byte[n];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  private ResponseHeader header() {
    return ResponseHeader.newBuilder().setClusterId(anyLong()).setMemberId(anyLong()).setRevision(anyLong())
        .setRaftTerm(anyLong()).build();
  }

  private KeyValue keyValue() {
    return KeyValue.newBuilder().setKey(anyBytes()).setCreateRevision(anyLong()).setModRevision(anyLong())
        .setVersion(anyLong()).setValue(anyBytes()).setLease(anyLong()).build();
  }

  private PutResponse putResponse() {
    PutResponse.Builder b = PutResponse.newBuilder();
    if (random.nextInt(5) > 0) {
      b.setHeader(header());
    }
    if (random.nextBoolean()) {
      b.setPrevKv(keyValue());
    }
    return b.build();
  }

  private RangeResponse rangeResponse() {
    RangeResponse.Builder b = RangeResponse.newBuilder();
    if (random.nextInt(5) > 0) {
      b.setHeader(header());
    }
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      b.addKvs(keyValue());
    }
    return b.setMore(random.nextBoolean()).setCount(anyLong()).build();
  }

  private DeleteRangeResponse deleteRangeResponse() {
    DeleteRangeResponse.Builder b = DeleteRangeResponse.newBuilder();
    if (random.nextInt(5) > 0) {
      b.setHeader(header());
    }
    int n = random.nextInt(3);
    for (int i = 0; i < n; i++) {
      b.addPrevKvs(keyValue());
    }
    return b.setDeleted(anyLong()).build();
  }

  private TxnResponse txnResponse(int depth) {
    TxnResponse.Builder b = TxnResponse.newBuilder();
    if (random.nextInt(5) > 0) {
      b.setHeader(header());
    }
    b.setSucceeded(random.nextBoolean());
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      ResponseOp.Builder op = ResponseOp.newBuilder();
      switch (random.nextInt(depth > 0 ? 5 : 4)) {
        case 0 -> op.setResponseRange(rangeResponse());
        case 1 -> op.setResponsePut(putResponse());
        case 2 -> op.setResponseDeleteRange(deleteRangeResponse());
        case 3 -> { } // no response set
        default -> op.setResponseTxn(txnResponse(depth - 1));
      }
      b.addResponses(op);
    }
    return b.build();
  }

  private Event event() {
    Event.Builder e = Event.newBuilder().setType(random.nextBoolean() ? Event.EventType.PUT : Event.EventType.DELETE);
    if (random.nextInt(6) > 0) {
      e.setKv(keyValue());
    }
    if (random.nextBoolean()) {
      e.setPrevKv(keyValue());
    }
    return e.build();
  }

  private WatchResponse watchResponse() {
    WatchResponse.Builder b = WatchResponse.newBuilder();
    if (random.nextInt(5) > 0) {
      b.setHeader(header());
    }
    b.setWatchId(anyLong()).setCreated(random.nextInt(4) == 0).setCanceled(random.nextInt(8) == 0)
        .setCompactRevision(random.nextInt(3) == 0 ? anyLong() : 0).setFragment(random.nextInt(4) == 0);
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      b.addEvents(event());
    }
    return b.build();
  }
}
