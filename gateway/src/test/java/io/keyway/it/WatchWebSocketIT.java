package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static io.keyway.it.WatchRequests.byWatchId;
import static io.keyway.it.WatchRequests.cancel;
import static io.keyway.it.WatchRequests.create;
import static io.keyway.it.WatchRequests.createPrefix;
import static io.keyway.it.WatchRequests.kv;
import static io.keyway.it.WatchRequests.progress;
import static io.keyway.it.WatchRequests.revision;
import static io.keyway.it.WatchRequests.watchId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Watch over a WebSocket on {@code /v3/watch} (etcd-api.md §3.2), where Keyway keeps etcd's message format but
 * not its proxy's failure modes: bad frames are answered and the socket keeps working, the server pings, and
 * it ends sockets with close frames. Runs against Keyway only; the server is started with small limits so they
 * can be hit: {@code --max-request-bytes=65536 --ws-max-watchers=3 --ws-ping-interval=300ms
 * --experimental-watch-progress-notify-interval=500ms}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchWebSocketIT {
  private static final int MAX_WATCHERS = 3;
  private static KeywayProcess server;
  private static HttpJson http;

  @BeforeAll
  static void startServer() {
    server = new KeywayProcess("watch-ws", "--max-request-bytes=65536", "--ws-max-watchers=" + MAX_WATCHERS,
        "--ws-ping-interval=300ms", "--experimental-watch-progress-notify-interval=500ms");
    try {
      server.start();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    http = server.http();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static long put(String key, String value) {
    return EtcdJson.revision(http.ok("/v3/kv/put", obj("key", b64(key), "value", b64(value))));
  }

  private static WsWatch connect() {
    return WsWatch.connect(server.clientUrl(), "/v3/watch");
  }

  @Test
  @Order(1)
  void severalWatchersShareOneSocket() {
    long before = put("w1/a", "0");
    try (WsWatch ws = connect()) {
      ws.sendText(create("w1/a"));
      assertEquals(obj("header", obj("revision", Long.toString(before)), "created", true),
          EtcdJson.withoutMemberIds(ws.nextResult()));
      ws.sendText(createPrefix("w1/", "prev_kv", true));
      assertEquals(1, watchId(ws.nextResult()));

      long rev = put("w1/a", "1");
      List<JsonNode> both = byWatchId(List.of(ws.nextResult(), ws.nextResult()));
      assertEquals(obj("header", obj("revision", Long.toString(rev)), "events",
          Json.arr(obj("kv", kv("w1/a", before, rev, 2, "1")))), EtcdJson.withoutMemberIds(both.get(0)));
      assertEquals(obj("header", obj("revision", Long.toString(rev)), "watch_id", "1", "events",
          Json.arr(obj("kv", kv("w1/a", before, rev, 2, "1"), "prev_kv", kv("w1/a", before, before, 1, "0")))),
          EtcdJson.withoutMemberIds(both.get(1)));

      long other = put("w1/b", "2");
      JsonNode onlyPrefix = ws.nextResult();
      assertEquals(1, watchId(onlyPrefix));
      assertEquals(other, revision(onlyPrefix));

      ws.sendText(cancel(0));
      assertTrue(ws.nextResult().path("canceled").asBoolean());
      ws.sendText(progress());
      assertEquals(obj("header", obj("revision", Long.toString(other)), "watch_id", "-1"),
          EtcdJson.withoutMemberIds(ws.nextResult()));
    }
  }

  @Test
  @Order(2)
  void textAndBinaryMessagesMayCarrySeveralRequests() {
    try (WsWatch ws = connect()) {
      ws.sendBinary(create("w2/a", "watch_id", "10") + create("w2/b", "watch_id", "11"));
      assertEquals(List.of(10L, 11L), List.of(watchId(ws.nextResult()), watchId(ws.nextResult())));
      ws.sendText(" " + cancel(10) + "\n");
      assertEquals(obj("watch_id", "10", "canceled", true), withoutHeader(ws.nextResult()));
    }
  }

  @Test
  @Order(3)
  void aBadMessageIsAnsweredAndTheSocketKeepsWorking() {
    try (WsWatch ws = connect()) {
      ws.sendText("garbage");
      assertEquals(Json.parse("{\"error\":\"invalid character 'g' looking for beginning of value\",\"code\":2,"
          + "\"message\":\"invalid character 'g' looking for beginning of value\"}"), ws.next());
      ws.sendText("{\"create_request\":");
      assertEquals("unexpected EOF", ws.next().path("message").asText());
      ws.sendText("{\"create_request\":{\"key\":\"%%\"}}");
      assertEquals("illegal base64 data at input byte 0", ws.next().path("message").asText());
      ws.sendText(create("w3/k"));
      assertTrue(ws.nextResult().path("created").asBoolean(), "etcd's proxy would have closed or frozen by now");
      long rev = put("w3/k", "v");
      assertEquals(rev, revision(ws.nextResult()));
    }
  }

  @Test
  @Order(4)
  void theServerPings() {
    try (WsWatch ws = connect()) {
      long deadline = System.currentTimeMillis() + 5000;
      while (ws.pings() < 2 && System.currentTimeMillis() < deadline) {
        ServerProcess.sleep(100);
      }
      assertTrue(ws.pings() >= 2, "pings every 300 ms; got " + ws.pings());
      ws.sendText(create("w4/k"));
      assertTrue(ws.nextResult().path("created").asBoolean(), "still open and answering");
    }
  }

  @Test
  @Order(5)
  void oneSocketHoldsAtMostWsMaxWatchers() {
    try (WsWatch ws = connect()) {
      for (int i = 0; i < MAX_WATCHERS; i++) {
        ws.sendText(create("w5/k" + i));
        assertEquals(i, watchId(ws.nextResult()));
      }
      ws.sendText(create("w5/over"));
      JsonNode refused = ws.nextResult();
      assertEquals("-1", refused.path("watch_id").asText(), refused::toString);
      assertTrue(refused.path("created").asBoolean() && refused.path("canceled").asBoolean(), refused::toString);
      assertTrue(refused.path("cancel_reason").asText().contains("--ws-max-watchers=" + MAX_WATCHERS),
          refused::toString);
      ws.sendText(cancel(1));
      assertTrue(ws.nextResult().path("canceled").asBoolean());
      ws.sendText(create("w5/again"));
      assertEquals(MAX_WATCHERS, watchId(ws.nextResult()), "a canceled watcher frees its place (ids go on)");
    }
    try (WsWatch other = connect()) {
      other.sendText(create("w5/elsewhere"));
      assertEquals(0, watchId(other.nextResult()), "the limit is per socket");
    }
  }

  @Test
  @Order(6)
  void aMessageOverMaxRequestBytesClosesTheSocketWith1009() {
    try (WsWatch ws = connect()) {
      ws.sendText(create("w6/" + "k".repeat(70_000)));
      assertEquals(1009, ws.awaitClose(10_000), "message too big, as a close frame");
    }
    try (WsWatch ws = connect()) {
      ws.sendText(create("w6/small"));
      assertTrue(ws.nextResult().path("created").asBoolean());
      ws.sendTextInFrames(create("w6/" + "k".repeat(70_000)), 4);
      assertEquals(1009, ws.awaitClose(10_000), "the limit is on the message, whatever its frames");
    }
  }

  @Test
  @Order(7)
  void theRouteAnswersUnderV3beta() {
    try (WsWatch ws = WsWatch.connect(server.clientUrl(), "/v3beta/watch")) {
      ws.sendText(create("w7/k"));
      assertTrue(ws.nextResult().path("created").asBoolean());
    }
  }

  @Test
  @Order(8)
  void progressNotifyFollowsTheConfiguredInterval() {
    try (WsWatch ws = connect()) {
      long rev = put("w8/k", "v");
      ws.sendText(create("w8/k", "progress_notify", true, "watch_id", "4"));
      assertEquals(4, watchId(ws.nextResult()));
      long start = System.nanoTime();
      JsonNode progress = ws.nextResult();
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(obj("header", obj("revision", Long.toString(rev)), "watch_id", "4"),
          EtcdJson.withoutMemberIds(progress), "an empty response for the idle watcher");
      assertTrue(waitedMillis < 5000, "every 500 ms (+10 % jitter), not etcd's 10 minutes: " + waitedMillis);
    }
  }

  @Test
  @Order(100)
  void aStoppingServerSendsACloseFrame() {
    try (WsWatch ws = connect()) {
      ws.sendText(create("w9/k"));
      assertTrue(ws.nextResult().path("created").asBoolean());
      server.stop(); // SIGTERM
      assertEquals(1001, ws.awaitClose(15_000), "going away, not a bare TCP close (1006)");
    }
  }

  private static JsonNode withoutHeader(JsonNode result) {
    JsonNode copy = result.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("header");
    return copy;
  }
}
