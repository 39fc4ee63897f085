package io.keyway.it;

import static io.keyway.it.Json.arr;
import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static io.keyway.it.WatchRequests.byWatchId;
import static io.keyway.it.WatchRequests.cancel;
import static io.keyway.it.WatchRequests.create;
import static io.keyway.it.WatchRequests.createPrefix;
import static io.keyway.it.WatchRequests.deletedKv;
import static io.keyway.it.WatchRequests.kv;
import static io.keyway.it.WatchRequests.progress;
import static io.keyway.it.WatchRequests.revision;
import static io.keyway.it.WatchRequests.watchId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v3/watch} over chunked HTTP/1.1 (etcd-api.md §3.1, §4.7): requests streamed in a body that stays
 * open, one {@code {"result":…}} line per response, etcd 3.5's gateway errors.
 *
 * <p>Keyway only. etcd cannot be driven this way: before Go's HTTP/1 server writes a response header it
 * discards the unread request body (net/http {@code chunkWriter.writeHeader}, up to 256 KiB), so an etcd watch
 * over HTTP/1.1 answers nothing until the request body has ended (seen with 3.4.23: a chunked body left open
 * got no headers; ending it released the responses). Where etcd's answers are known they are asserted here
 * and compared in DifferentialWatchIT, which sends etcd complete bodies.
 */
class WatchHttpIT {
  private static KeywayProcess server;
  private static HttpJson http;

  @BeforeAll
  static void startServer() {
    server = new KeywayProcess("watch-http");
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

  private static long delete(String key) {
    return EtcdJson.revision(http.ok("/v3/kv/deleterange", obj("key", b64(key))));
  }

  private static long currentRevision() {
    return EtcdJson.revision(http.ok("/v3/kv/range", obj("key", b64("none"))));
  }

  private static HttpWatchStream watch(String... firstRequests) {
    return HttpWatchStream.open(server.clientUrl(), "/v3/watch", firstRequests);
  }

  @Test
  void createdEventsCancelAndProgressOnOneStream() {
    long rev = put("h1/a", "v0");
    try (HttpWatchStream w = watch(create("h1/a"))) {
      assertEquals(200, w.status(10_000));
      assertEquals("chunked", w.header("Transfer-Encoding"));
      assertEquals("application/json", w.header("Content-Type"));
      assertEquals("*", w.header("Access-Control-Allow-Origin"));
      JsonNode created = w.nextResult();
      GatewayAssertions.assertFullHeader(created);
      assertEquals(obj("header", obj("revision", Long.toString(rev)), "created", true),
          EtcdJson.withoutMemberIds(created), "the first watcher has id 0, which jsonpb omits");

      long put1 = put("h1/a", "v1");
      JsonNode event = w.nextResult();
      assertEquals(obj("header", obj("revision", Long.toString(put1)), "events", arr(obj("kv",
          kv("h1/a", rev, put1, 2, "v1")))), EtcdJson.withoutMemberIds(event));

      w.send(create("h1/a", "prev_kv", true, "watch_id", "7"));
      assertEquals(obj("header", obj("revision", Long.toString(put1)), "watch_id", "7", "created", true),
          EtcdJson.withoutMemberIds(w.nextResult()));

      long del = delete("h1/a");
      List<JsonNode> both = byWatchId(List.of(w.nextResult(), w.nextResult()));
      assertEquals(obj("header", obj("revision", Long.toString(del)), "events",
          arr(obj("type", "DELETE", "kv", deletedKv("h1/a", del)))), EtcdJson.withoutMemberIds(both.get(0)));
      assertEquals(obj("header", obj("revision", Long.toString(del)), "watch_id", "7", "events",
          arr(obj("type", "DELETE", "kv", deletedKv("h1/a", del), "prev_kv", kv("h1/a", rev, put1, 2, "v1")))),
          EtcdJson.withoutMemberIds(both.get(1)));

      w.send(cancel(7));
      assertEquals(obj("header", obj("revision", Long.toString(del)), "watch_id", "7", "canceled", true),
          EtcdJson.withoutMemberIds(w.nextResult()));
      w.send(cancel(99)); // unknown: no answer at all
      w.send(progress());
      assertEquals(obj("header", obj("revision", Long.toString(del)), "watch_id", "-1"),
          EtcdJson.withoutMemberIds(w.nextResult()), "a progress response comes right after: the cancel sent nothing");
    }
  }

  @Test
  void requestsMaySpanChunksOrShareOneAndTheStreamOutlivesTheBody() {
    try (HttpWatchStream w = watch("{\"create_requ", "est\":{\"key\":\"" + b64("h2/a") + "\"}}")) {
      assertTrue(w.nextResult().path("created").asBoolean());
      w.send(create("h2/b", "watch_id", "1") + "\n  " + create("h2/c", "watch_id", "2"));
      assertEquals(List.of(1L, 2L), List.of(watchId(w.nextResult()), watchId(w.nextResult())));
      w.endBody();
      long rev = put("h2/c", "x");
      JsonNode event = w.nextResult();
      assertEquals(2, watchId(event), "events keep coming after the request body ended: " + event);
      assertEquals(rev, revision(event));
    }
  }

  @Test
  void historyIsReplayedAndACompactedStartIsCanceledWithTheCompactRevision() {
    long first = put("h3/k", "a");
    put("h3/k", "b");
    long last = put("h3/k", "c");
    try (HttpWatchStream w = watch(create("h3/k", "start_revision", Long.toString(first)))) {
      JsonNode created = w.nextResult();
      assertTrue(created.path("created").asBoolean(), created::toString);
      List<Long> seen = new java.util.ArrayList<>();
      while (seen.size() < 3) {
        JsonNode r = w.nextResult();
        r.path("events").forEach(e -> seen.add(Long.parseLong(e.path("kv").path("mod_revision").asText())));
        assertEquals(last, revision(r), "catch-up responses carry the current revision: " + r);
      }
      assertEquals(List.of(first, first + 1, last), seen);
    }
    http.ok("/v3/kv/compaction", obj("revision", Long.toString(last)));
    try (HttpWatchStream w = watch(create("h3/k", "start_revision", Long.toString(first)))) {
      JsonNode created = w.nextResult();
      assertTrue(created.path("created").asBoolean(), created::toString);
      JsonNode canceled = w.nextResult();
      assertEquals(obj("header", obj(), "canceled", true, "compact_revision", Long.toString(last)),
          EtcdJson.withoutMemberIds(canceled), "a compaction cancel has a header without revision");
    }
  }

  @Test
  void filtersRangesAndRefusedCreates() {
    try (HttpWatchStream w = watch(createPrefix("h4/", "filters", arr("NOPUT")))) {
      assertTrue(w.nextResult().path("created").asBoolean());
      w.send(create("h4/z", "range_end", b64("h4/a"), "watch_id", "5"));
      JsonNode refused = w.nextResult();
      assertEquals(obj("watch_id", "-1", "created", true, "canceled", true, "cancel_reason",
          "mvcc: watcher range is empty"), withoutHeader(refused));
      w.send(create("h4/x", "watch_id", "3") + create("h4/y", "watch_id", "3"));
      assertEquals(3, watchId(w.nextResult()));
      assertEquals(obj("watch_id", "-1", "created", true, "canceled", true, "cancel_reason",
          "mvcc: duplicate watch ID provided on the WatchStream"), withoutHeader(w.nextResult()));
      put("h4/x", "1"); // watcher 3 sees it, the NOPUT prefix watcher does not
      JsonNode put = w.nextResult();
      assertEquals(3, watchId(put));
      long del = delete("h4/x");
      List<JsonNode> both = byWatchId(List.of(w.nextResult(), w.nextResult()));
      assertEquals(0, watchId(both.get(0)));
      assertEquals("DELETE", both.get(0).path("events").get(0).path("type").asText());
      assertEquals(del, revision(both.get(0)));
    }
  }

  @Test
  void aNegativeStartRevisionIsRefusedAsCompacted() {
    try (HttpWatchStream w = watch(create("h5/k", "start_revision", "-3"))) {
      JsonNode r = w.nextResult();
      // etcd 3.5.33/3.6 (this); 3.4.23 creates the watcher, then cancels it as compacted
      assertEquals(obj("watch_id", "-1", "created", true, "canceled", true, "cancel_reason",
          "etcdserver: mvcc: required revision has been compacted"), withoutHeader(r));
    }
  }

  @Test
  void progressOnAStreamWithoutWatchersIsNotAnswered() {
    try (HttpWatchStream w = watch(progress(), create("h6/k"))) {
      JsonNode first = w.nextResult();
      // etcd 3.4 always answers a progress request (watch_id -1)
      assertTrue(first.path("created").asBoolean(), "etcd 3.5.13+/3.6 skip it; the created response comes first: " + first);
    }
  }

  @Test
  void largeResponsesAreFragmentedWhenAsked() {
    String big = "x".repeat(700 * 1024);
    put("h7/a", big);
    put("h7/b", big);
    try (HttpWatchStream w = watch(createPrefix("h7/", "prev_kv", true, "fragment", true))) {
      assertTrue(w.nextResult().path("created").asBoolean());
      JsonNode txn = http.ok("/v3/kv/txn", obj("success", arr(
          obj("request_put", obj("key", b64("h7/a"), "value", b64(big))),
          obj("request_put", obj("key", b64("h7/b"), "value", b64(big))))));
      long rev = EtcdJson.revision(txn);
      JsonNode part1 = w.nextResult();
      JsonNode part2 = w.nextResult();
      assertTrue(part1.path("fragment").asBoolean(), "all but the last part are marked");
      assertFalse(part2.has("fragment"));
      assertEquals(List.of(rev, rev), List.of(revision(part1), revision(part2)));
      assertEquals(2, part1.path("events").size() + part2.path("events").size());
    }
  }

  // ---------------------------------------------------------------- errors

  @Test
  void aBadFirstValueIsAnUnaryErrorWithStatus500() {
    try (HttpWatchStream w = watch("garbage")) {
      assertEquals(500, w.status(10_000));
      assertEquals("{\"error\":\"invalid character 'g' looking for beginning of value\",\"code\":2,"
          + "\"message\":\"invalid character 'g' looking for beginning of value\"}", bodyAfterHeaders(w));
    }
    try (HttpWatchStream w = watch("{\"create_request\":{\"key\":\"!!\"}}")) {
      assertEquals(500, w.status(10_000));
      assertEquals("illegal base64 data at input byte 0", Json.parse(bodyAfterHeaders(w)).path("message").asText());
    }
  }

  @Test
  void aBadLaterValueStopsReadingButEventsKeepFlowing() {
    try (HttpWatchStream w = watch(create("h8/k"))) {
      assertTrue(w.nextResult().path("created").asBoolean());
      w.send("{\"create_request\":nope}");
      w.send(create("h8/other", "watch_id", "4")); // no longer read
      long rev = put("h8/k", "v");
      JsonNode event = w.nextResult();
      assertEquals(0, watchId(event), "the stream still delivers: " + event);
      assertEquals(rev, revision(event));
      put("h8/other", "v");
      w.expectSilence(500);
    }
  }

  @Test
  void aRequestOverTheGrpcLimitEndsTheStreamWithAnErrorChunk() {
    String hugeKey = "k".repeat(2 * 1024 * 1024 + 10);
    try (HttpWatchStream w = watch(create(hugeKey))) {
      assertEquals(429, w.status(20_000), "nothing was sent yet, so the error sets the status");
      String chunk = w.nextLine(10_000);
      // the key, its tag and 4-byte length, then the same again for the create_request around it
      int size = hugeKey.length() + 5 + 5;
      assertEquals("{\"error\":{\"grpc_code\":8,\"http_code\":429,\"message\":\"grpc: received message larger "
          + "than max (" + size + " vs. 2097152)\",\"http_status\":\"Too Many Requests\"}}", chunk);
      assertEquals(HttpWatchStream.END, w.nextLine(10_000));
    }
  }

  @Test
  void anEmptyBodyShowsAnIdleStreamInsteadOfHangingWithoutHeaders() {
    // etcd sends no headers at all until the first watch response: its client just hangs
    try (HttpWatchStream w = watch()) {
      w.endBody();
      assertEquals(200, w.status(10_000));
      w.expectSilence(300);
    }
  }

  @Test
  void theRouteAnswersUnderV3betaAndOnlyPost() {
    try (HttpWatchStream w = HttpWatchStream.open(server.clientUrl(), "/v3beta/watch", create("h9/k"))) {
      assertTrue(w.nextResult().path("created").asBoolean());
    }
    HttpResult get = http.get("/v3/watch");
    assertEquals(405, get.status(), get::toString);
    assertEquals("Method Not Allowed\n", get.body());
  }

  private static JsonNode withoutHeader(JsonNode result) {
    JsonNode copy = result.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("header");
    return copy;
  }

  private static String bodyAfterHeaders(HttpWatchStream w) {
    String body = w.nextLine(10_000);
    assertEquals(HttpWatchStream.END, w.nextLine(10_000), "the response ends after the error");
    return body;
  }
}
