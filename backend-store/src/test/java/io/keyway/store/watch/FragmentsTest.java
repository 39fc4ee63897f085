package io.keyway.store.watch;

import static io.keyway.store.watch.WatchFixture.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class FragmentsTest {
  static Event event(int i, int valueBytes) {
    return Event.newBuilder().setKv(KeyValue.newBuilder().setKey(bs("key" + i)).setValue(bs("v".repeat(valueBytes)))
        .setModRevision(9).setCreateRevision(9).setVersion(1)).build();
  }

  static WatchResponse response(Event... events) {
    return WatchResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(9).setClusterId(77))
        .setWatchId(3).addAllEvents(List.of(events)).build();
  }

  @Test
  void smallResponsesAndSingleEventsStayWhole() {
    WatchResponse small = response(event(1, 10), event(2, 10));
    assertSame(small, Fragments.split(small, small.getSerializedSize() + 1).get(0));
    WatchResponse huge = response(event(1, 5000));
    List<WatchResponse> one = Fragments.split(huge, 100);
    assertEquals(List.of(huge), one);
    assertFalse(one.get(0).getFragment());
  }

  @Test
  void piecesStayBelowTheBudgetKeepTheHeaderAndOnlyTheLastIsNotAFragment() {
    Event[] events = new Event[7];
    for (int i = 0; i < events.length; i++) {
      events[i] = event(i, i == 3 ? 900 : 100); // one event alone exceeds the budget
    }
    WatchResponse whole = response(events);
    List<WatchResponse> pieces = Fragments.split(whole, 400);
    assertEquals(List.of(3, 1, 3), pieces.stream().map(WatchResponse::getEventsCount).toList());
    for (int i = 0; i < pieces.size(); i++) {
      WatchResponse p = pieces.get(i);
      assertEquals(i < pieces.size() - 1, p.getFragment());
      assertEquals(whole.getHeader(), p.getHeader());
      assertEquals(3, p.getWatchId());
      assertTrue(p.getEventsCount() >= 1);
      assertTrue(p.getEventsCount() == 1 || p.getSerializedSize() < 400, "over budget: " + p.getSerializedSize());
      if (i + 1 < pieces.size()) {
        int withNext = p.toBuilder().addEvents(pieces.get(i + 1).getEvents(0)).build().getSerializedSize();
        assertTrue(withNext >= 400, "pieces are filled greedily");
      }
    }
    assertEquals(whole.getEventsList(), pieces.stream().flatMap(p -> p.getEventsList().stream()).toList());
  }
}
