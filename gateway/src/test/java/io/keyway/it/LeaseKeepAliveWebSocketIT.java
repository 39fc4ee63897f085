package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lease keep-alive over a WebSocket on {@code /v3/lease/keepalive} (etcd-api.md §3.2): each {@code {"ID":…}}
 * message is answered by one {@code {"result":…}} message carrying the granted TTL, an unknown lease answers
 * TTL 0 (omitted), and, as on the watch WebSocket, a bad message gets the gateway's error body while the
 * socket keeps working. Runs against Keyway only.
 */
class LeaseKeepAliveWebSocketIT {
  private static KeywayProcess server;
  private static HttpJson http;

  @BeforeAll
  static void startServer() {
    server = new KeywayProcess("lease-ws");
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

  @Test
  void keepAliveOverWebSocket() {
    String id = http.ok("/v3/lease/grant", Json.obj("TTL", "20")).path("ID").asText();
    try (WsWatch ws = WsWatch.connect(server.clientUrl(), "/v3/lease/keepalive")) {
      for (int i = 0; i < 3; i++) {
        ws.sendText("{\"ID\":\"" + id + "\"}");
        assertEquals(Json.obj("ID", id, "TTL", "20"), withoutHeader(ws.nextResult()));
      }
      ws.sendBinary("{\"ID\":" + id + "}\n{\"ID\":\"" + id + "\"}");
      assertEquals(Json.obj("ID", id, "TTL", "20"), withoutHeader(ws.nextResult()));
      assertEquals(Json.obj("ID", id, "TTL", "20"), withoutHeader(ws.nextResult()));

      ws.sendText("garbage");
      assertEquals(Json.parse("{\"error\":\"invalid character 'g' looking for beginning of value\",\"code\":2,"
          + "\"message\":\"invalid character 'g' looking for beginning of value\"}"), ws.next());
      ws.sendText("{\"ID\":\"" + id + "\"}");
      assertEquals(Json.obj("ID", id, "TTL", "20"), withoutHeader(ws.nextResult()),
          "the socket keeps working after a bad message");

      ws.sendText("{\"ID\":\"1\"}");
      JsonNode unknown = ws.nextResult();
      assertEquals(Json.obj("ID", "1"), withoutHeader(unknown), "an unknown lease answers TTL 0");
      assertFalse(unknown.path("header").isMissingNode(), "every answer carries a header: " + unknown);
      assertFalse(ws.isClosed(), "the stream stays open");
    }
    http.ok("/v3/lease/revoke", Json.obj("ID", id));
  }

  @Test
  void prefixedPathsAreUpgradedToo() {
    String id = http.ok("/v3/lease/grant", Json.obj("TTL", "15")).path("ID").asText();
    try (WsWatch ws = WsWatch.connect(server.clientUrl(), "/v3beta/lease/keepalive")) {
      ws.sendText("{\"ID\":\"" + id + "\"}");
      assertEquals(Json.obj("ID", id, "TTL", "15"), withoutHeader(ws.nextResult()));
    }
    http.ok("/v3/lease/revoke", Json.obj("ID", id));
  }

  private static JsonNode withoutHeader(JsonNode result) {
    com.fasterxml.jackson.databind.node.ObjectNode copy = result.deepCopy();
    copy.remove("header");
    return copy;
  }
}
