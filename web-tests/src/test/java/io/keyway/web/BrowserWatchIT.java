package io.keyway.web;

import static io.keyway.web.WebTestSupport.b64;
import static io.keyway.web.WebTestSupport.unb64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyway.it.KeywayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) talking to the Keyway jar through nginx, the way a web page does: watches
 * over WebSocket and over a streaming fetch of the chunked watch, a lease kept alive over WebSocket, and the
 * member's own {@code /keyway.js} imported as an ES module, keeping a KeyspaceCache in sync. nginx
 * cuts upstreams that are silent for two seconds; Keyway's WebSocket pings (every second here) keep idle
 * watch sockets open through it.
 */
class BrowserWatchIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static KeywayProcess keyway;
  private static NginxFront nginx;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() {
    keyway = new KeywayProcess("web", "--ws-ping-interval=1s");
    keyway.start();
    nginx = new NginxFront(keyway.clientUrl(), Duration.ofSeconds(2));
    browser = new HeadlessChromium();
    browser.open(nginx.origin() + "/index.html");
    browser.await("return typeof openSocket", n -> n.asText().equals("function"), WAIT);
    browser.await("return typeof window.keyway", n -> n.asText().equals("object"), WAIT); // /keyway.js loaded
  }

  @AfterAll
  static void stop() {
    WebTestSupport.closeAll(browser, nginx, keyway);
  }

  /** Writes straight to the member (not through the browser), as another client would. */
  private static JsonNode post(String path, Map<String, Object> body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(keyway.clientUrl() + path))
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static void put(String key, String value) throws Exception {
    post("/v3/kv/put", Map.of("key", b64(key), "value", b64(value)));
  }

  /** Every event in the collected {"result":...} messages, in arrival order. */
  private static List<JsonNode> events(JsonNode messages) {
    List<JsonNode> events = new ArrayList<>();
    for (JsonNode m : messages) {
      m.path("result").path("events").forEach(events::add);
    }
    return events;
  }

  private static boolean created(JsonNode messages) {
    for (JsonNode m : messages) {
      if (m.path("result").path("created").asBoolean()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void browserWatchesOverWebSocketThroughNginx() throws Exception {
    browser.eval("openSocket('ws1', '/v3/watch', arguments[0])",
        Map.of("create_request", Map.of("key", b64("web/"), "range_end", b64("web0"), "prev_kv", true)));
    browser.await("return socketState('ws1').frames", BrowserWatchIT::created, WAIT);

    put("web/a", "1");
    put("web/a", "2");
    post("/v3/kv/deleterange", Map.of("key", b64("web/a")));
    put("webX", "outside the range");
    put("web/b", "3");

    JsonNode state = browser.await("return socketState('ws1')", s -> events(s.path("frames")).size() >= 4, WAIT);
    List<JsonNode> events = events(state.path("frames"));
    assertEquals(4, events.size(), state::toString);
    assertEquals("1", unb64(events.get(0).path("kv").path("value")));
    assertEquals("2", unb64(events.get(1).path("kv").path("value")));
    assertEquals("1", unb64(events.get(1).path("prev_kv").path("value")));
    assertEquals("DELETE", events.get(2).path("type").asText());
    assertEquals("web/a", unb64(events.get(2).path("kv").path("key")));
    assertEquals("web/b", unb64(events.get(3).path("kv").path("key")));
    assertEquals(1, state.path("readyState").asInt(), "socket is no longer open: " + state);
  }

  @Test
  void idleWatchSocketOutlivesTheProxyTimeoutBecauseTheServerPings() throws Exception {
    browser.eval("openSocket('idle', '/v3/watch', arguments[0])",
        Map.of("create_request", Map.of("key", b64("idle"))));
    browser.await("return socketState('idle').frames", BrowserWatchIT::created, WAIT);

    Thread.sleep(5_000); // more than twice nginx's proxy_read_timeout without a single watch event

    put("idle", "still here");
    JsonNode state = browser.await("return socketState('idle')", s -> !events(s.path("frames")).isEmpty()
        || !s.path("closed").isNull(), WAIT);
    assertTrue(state.path("closed").isNull(), () -> "nginx cut the idle socket: " + state);
    assertEquals("still here", unb64(events(state.path("frames")).get(0).path("kv").path("value")));
  }

  @Test
  void browserStreamsTheChunkedWatchWithFetch() throws Exception {
    browser.eval("streamWatch('s1', arguments[0])", Map.of("create_request", Map.of("key", b64("chunked"))));
    browser.await("return streamState('s1')", s -> created(s.path("lines")) || s.path("done").asBoolean(), WAIT);

    put("chunked", "a");
    put("chunked", "b");
    JsonNode state = browser.await("return streamState('s1')",
        s -> events(s.path("lines")).size() >= 2 || s.path("done").asBoolean(), WAIT);
    assertEquals(200, state.path("status").asInt(), state::toString);
    List<JsonNode> events = events(state.path("lines"));
    assertEquals(List.of("a", "b"), events.stream().map(e -> unb64(e.path("kv").path("value"))).toList(),
        state::toString);
  }

  @Test
  void browserKeepsALeaseAliveOverWebSocket() throws Exception {
    JsonNode granted = browser.evalAsync("callJson('/v3/lease/grant', {TTL: '20'}).then(done)");
    assertEquals(200, granted.path("status").asInt(), granted::toString);
    String id = granted.path("body").path("ID").asText();
    assertEquals("20", granted.path("body").path("TTL").asText());

    browser.eval("openSocket('ka', '/v3/lease/keepalive', {ID: arguments[0]})", id);
    JsonNode state = browser.await("return socketState('ka')", s -> s.path("frames").size() >= 1, WAIT);
    JsonNode result = state.path("frames").get(0).path("result");
    assertEquals(id, result.path("ID").asText(), state::toString);
    assertEquals("20", result.path("TTL").asText(), state::toString);

    browser.eval("sendFrame('ka', {ID: arguments[0]})", id);
    browser.await("return socketState('ka').frames.length", n -> n.asInt() >= 2, WAIT);

    JsonNode revoked = browser.evalAsync("callJson('/v3/lease/revoke', {ID: arguments[0]}).then(done)", id);
    assertEquals(200, revoked.path("status").asInt(), revoked::toString);
  }

  /** Revision of a write answered by the member. */
  private static long revision(JsonNode answer) {
    return answer.path("header").path("revision").asLong();
  }

  @Test
  void pageKeepsAKeyspaceCacheOfTheImportedLibraryInSyncWithWrites() throws Exception {
    List<Map<String, Object>> preload = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      preload.add(Map.of("request_put", Map.of("key", b64("kc/" + (char) ('a' + i % 26) + i), "value", b64("v" + i))));
    }
    post("/v3/kv/txn", Map.of("success", preload));
    post("/v3/kv/put", Map.of("key", b64("kc0"), "value", b64("just past the prefix")));

    browser.eval("startCache('kc', 'kc/', {pageSize: 7})"); // snapshot read in pages of 7 at one revision
    JsonNode started = browser.await("return cacheState('kc')",
        s -> s.path("started").asBoolean() || !s.path("failed").isNull(), WAIT);
    assertEquals(30, started.path("size").asInt(), started::toString);

    long last = revision(post("/v3/kv/put", Map.of("key", b64("kc/new"), "value", b64("1"))));
    last = Math.max(last, revision(post("/v3/kv/deleterange", Map.of("key", b64("kc/a0")))));
    last = Math.max(last, revision(post("/v3/kv/txn", Map.of("success", List.of(
        Map.of("request_put", Map.of("key", b64("kc/new"), "value", b64("2"))),
        Map.of("request_delete_range", Map.of("key", b64("kc/b"), "range_end", b64("kc/c"))))))));
    last = Math.max(last, revision(post("/v3/kv/put", Map.of("key", b64("kc/z"), "value", b64("last")))));
    long target = last;

    JsonNode state = browser.await("return cacheState('kc')", s -> s.path("revision").asLong() >= target, WAIT);
    JsonNode fresh = post("/v3/kv/range", Map.of("key", b64("kc/"), "range_end", b64("kc0")));
    List<List<Object>> expected = new ArrayList<>();
    for (JsonNode kv : fresh.path("kvs")) {
      expected.add(List.of(unb64(kv.path("key")), unb64(kv.path("value")), kv.path("mod_revision").asLong()));
    }
    List<List<Object>> cached = new ArrayList<>();
    for (JsonNode e : state.path("entries")) {
      cached.add(List.of(e.get(0).asText(), e.get(1).asText(), e.get(2).asLong()));
    }
    assertEquals(expected, cached, state::toString);
    List<List<Object>> mirrored = new ArrayList<>();
    for (JsonNode e : state.path("mirror")) {
      mirrored.add(List.of(e.get(0).asText(), e.get(1).asText()));
    }
    assertEquals(expected.stream().map(e -> List.of(e.get(0), e.get(1))).toList(), mirrored,
        "the put/delete callbacks rebuild the same map: " + state);
    assertEquals(29, expected.size(), fresh::toString); // 30 preloaded, kc/a0, kc/b1 and kc/b27 deleted, 2 new
    assertEquals(3, state.path("deletes").asInt(), state::toString);
    assertEquals(0, state.path("resets").asInt(), state::toString);
  }

  @Test
  void badFrameGetsAnErrorAndTheSocketKeepsWorking() throws Exception {
    browser.eval("openSocket('bad', '/v3/watch', null)");
    browser.await("return socketState('bad').opened", JsonNode::asBoolean, WAIT);
    browser.eval("sendFrame('bad', 'this is not json')");
    browser.await("return socketState('bad').frames.length", n -> n.asInt() >= 1, WAIT);
    browser.eval("sendFrame('bad', arguments[0])", Map.of("create_request", Map.of("key", b64("afterbad"))));
    browser.await("return socketState('bad').frames", BrowserWatchIT::created, WAIT);
    put("afterbad", "ok");
    JsonNode state = browser.await("return socketState('bad')", s -> !events(s.path("frames")).isEmpty(), WAIT);
    assertTrue(state.path("frames").get(0).has("error"), state::toString);
    assertEquals("ok", unb64(events(state.path("frames")).get(0).path("kv").path("value")));
  }
}
