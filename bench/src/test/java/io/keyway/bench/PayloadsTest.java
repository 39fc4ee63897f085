package io.keyway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadsTest {

  @Test
  void scansEveryEventsRevisionAndStampInOneWatchMessage() {
    String msg = "{\"result\":{\"header\":{\"cluster_id\":\"1\",\"member_id\":\"2\",\"revision\":\"9\","
        + "\"raft_term\":\"2\"},\"events\":[{\"kv\":{\"key\":\"YmVuY2gvd2F0Y2g=\",\"create_revision\":\"5\","
        + "\"mod_revision\":\"8\",\"version\":\"4\",\"value\":\"" + Payloads.stampValue(123456789L) + "\"}},"
        + "{\"kv\":{\"key\":\"YmVuY2gvd2F0Y2g=\",\"create_revision\":\"5\",\"mod_revision\":\"9\",\"version\":\"5\","
        + "\"value\":\"" + Payloads.stampValue(987654321012L) + "\"}}]}}";
    List<long[]> events = new ArrayList<>();
    int n = Payloads.scanEvents(msg, (rev, stamp) -> events.add(new long[] {rev, stamp}));
    assertEquals(2, n);
    assertEquals(8, events.get(0)[0]);
    assertEquals(123456789L, events.get(0)[1]);
    assertEquals(9, events.get(1)[0]);
    assertEquals(987654321012L, events.get(1)[1]);
  }

  @Test
  void aMessageWithoutEventsYieldsNone() {
    assertEquals(0, Payloads.scanEvents("{\"result\":{\"header\":{\"revision\":\"3\"},\"created\":true}}",
        (rev, stamp) -> { }));
  }

  @Test
  void aValueThatIsNotAStampGivesMinusOne() {
    List<Long> stamps = new ArrayList<>();
    Payloads.scanEvents("{\"kv\":{\"mod_revision\":\"3\",\"value\":\"" + Payloads.b64("hello") + "\"}}",
        (rev, stamp) -> stamps.add(stamp));
    assertEquals(List.of(-1L), stamps);
  }

  @Test
  void valuesHaveTheRequestedSizeAndAreReproducible() {
    assertEquals(256, Payloads.value(256, 1).length);
    assertEquals(new String(Payloads.value(32, 7)), new String(Payloads.value(32, 7)));
  }
}
