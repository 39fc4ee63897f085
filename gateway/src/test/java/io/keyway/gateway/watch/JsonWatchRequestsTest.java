package io.keyway.gateway.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.gateway.json.JsonDecodeException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonWatchRequestsTest {
  private final JsonWatchRequests body = new JsonWatchRequests(2 * 1024 * 1024);

  private void append(String text) {
    body.append(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void valuesAreTakenAsSoonAsTheyAreCompleteWhateverTheChunking() {
    append("{\"create_request\":{\"key\":\"YQ==\"}} {\"cancel_req");
    WatchRequest first = body.next();
    assertEquals("a", first.getCreateRequest().getKey().toStringUtf8());
    assertNull(body.next(), "the second value is still arriving");
    append("uest\":{\"watch_id\":\"7\"}}\n{\"progress_request\":{}}");
    assertEquals(7, body.next().getCancelRequest().getWatchId());
    assertTrue(body.next().hasProgressRequest());
    assertNull(body.next());
    assertFalse(body.exhausted(), "the body has not ended");
    body.end();
    assertTrue(body.exhausted());
  }

  @Test
  void emptyValuesAndNullAreEmptyRequests() {
    append("{} null {\"unknown\":1}");
    assertEquals(WatchRequest.getDefaultInstance(), body.next());
    assertEquals(WatchRequest.getDefaultInstance(), body.next());
    assertEquals(WatchRequest.getDefaultInstance(), body.next());
    assertNull(body.next());
  }

  @Test
  void aNumberAtTheEndWaitsForMore() {
    append("12");
    assertNull(body.next());
    append("3 ");
    JsonDecodeException e = assertThrows(JsonDecodeException.class, body::next);
    assertEquals("json: cannot unmarshal number into Go value of type map[string]json.RawMessage", e.getMessage());
  }

  @Test
  void badInputFailsAtOnceWithGosMessageAndTruncationOnlyAtTheEnd() {
    append("garbage");
    assertEquals("invalid character 'g' looking for beginning of value",
        assertThrows(JsonDecodeException.class, body::next).getMessage());

    JsonWatchRequests truncated = new JsonWatchRequests(1 << 20);
    truncated.append("{\"create_request\":".getBytes(StandardCharsets.UTF_8));
    assertNull(truncated.next());
    truncated.end();
    assertEquals("unexpected EOF", assertThrows(JsonDecodeException.class, truncated::next).getMessage());
  }

  @Test
  void requestsOverTheLimitAreRefused() {
    JsonWatchRequests small = new JsonWatchRequests(100);
    small.append(("{\"create_request\":{\"key\":\"" + "QUFB".repeat(50) + "\"}}").getBytes(StandardCharsets.UTF_8));
    // 150 key bytes + tag + 2-byte length, wrapped again as create_request: the serialized size gRPC checks
    assertEquals(156, assertThrows(JsonWatchRequests.TooLarge.class, small::next).size);

    JsonWatchRequests endless = new JsonWatchRequests(100);
    endless.append(("{\"create_request\":{\"key\":\"" + "QUFB".repeat(200)).getBytes(StandardCharsets.UTF_8));
    assertEquals(826, assertThrows(JsonWatchRequests.TooLarge.class, endless::next).size,
        "a partial value larger than 4x the limit is not buffered further");
  }
}
