package io.keyway.it;

import static io.keyway.it.GatewayAssertions.assertCorsHeaders;
import static io.keyway.it.GatewayAssertions.assertEtcdError;
import static io.keyway.it.GatewayAssertions.assertFullHeader;
import static io.keyway.it.GatewayAssertions.assertJsonContentType;
import static io.keyway.it.Json.arr;
import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KV part of the HTTP/JSON gateway, driven over real HTTP/1.1: routes, JSON conventions (etcd-api.md §2),
 * KV semantics (§4.1–4.6) and every KV error of §2.5 with its status and exact body.
 */
class HttpKvIT {

  private static final int INVALID_ARGUMENT = 3;
  private static final int NOT_FOUND = 5;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int OUT_OF_RANGE = 11;
  private static final int MAX_REQUEST_BYTES = 1572864;

  private static ServerProcess server;
  private static HttpJson http;

  @BeforeAll
  static void startServer() {
    server = ServerUnderTest.start("http");
    http = server.http();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  // ---------------------------------------------------------------- routes

  @ParameterizedTest
  @ValueSource(strings = {"/v3", "/v3beta", "/v3alpha"})
  void everyKvRouteAnswersUnderEachPrefix(String prefix) {
    String key = "route" + prefix.replace('/', '-');
    if (prefix.equals("/v3alpha") && ServerUnderTest.isEtcd34(server)) {
      // etcd 3.4 and 3.5 dropped /v3alpha (404 from the basic mux); Keyway serves it for old clients
      HttpResult result = http.post(prefix + "/kv/range", obj("key", b64(key)));
      assertEquals(404, result.status(), result::toString);
      assertEquals("404 page not found\n", result.body());
      return;
    }
    JsonNode put = expect200(http.post(prefix + "/kv/put", obj("key", b64(key), "value", b64("v"))));
    long rev = EtcdJson.revision(put);
    assertEquals(obj("header", obj("revision", s(rev))), EtcdJson.withoutMemberIds(put));

    JsonNode range = expect200(http.post(prefix + "/kv/range", obj("key", b64(key))));
    assertEquals(obj("header", obj("revision", s(rev)), "kvs", arr(kv(key, rev, rev, 1, "v")), "count", "1"),
        EtcdJson.withoutMemberIds(range));

    JsonNode txn = expect200(http.post(prefix + "/kv/txn", obj(
        "compare", arr(obj("key", b64(key), "target", "VALUE", "value", b64("v"))),
        "success", arr(obj("request_put", obj("key", b64(key), "value", b64("w")))))));
    assertEquals(obj("header", obj("revision", s(rev + 1)), "succeeded", true,
        "responses", arr(obj("response_put", obj("header", obj("revision", s(rev + 1)))))),
        EtcdJson.withoutMemberIds(txn));

    JsonNode compaction = expect200(http.post(prefix + "/kv/compaction", obj("revision", s(rev + 1))));
    assertEquals(obj("header", obj("revision", s(rev + 1))), EtcdJson.withoutMemberIds(compaction));

    JsonNode delete = expect200(http.post(prefix + "/kv/deleterange", obj("key", b64(key))));
    assertEquals(obj("header", obj("revision", s(rev + 2)), "deleted", "1"), EtcdJson.withoutMemberIds(delete));
  }

  @Test
  void unknownRouteUnderV3Is404PlainText() {
    HttpResult result = http.post("/v3/kv/nope", "{}");
    assertEquals(404, result.status(), result::toString);
    assertEquals("Not Found\n", result.body());
    assertEquals("text/plain; charset=utf-8", result.header("Content-Type"));
    assertCorsHeaders(result);

    HttpResult outside = http.post("/nothing/here", "{}");
    assertEquals(404, outside.status(), outside::toString);
    assertEquals("404 page not found\n", outside.body());
  }

  @Test
  void wrongMethodOnKnownRouteIs405() {
    for (String method : new String[] {"GET", "PUT", "DELETE"}) {
      HttpResult result = http.send(method, "/v3/kv/range", method.equals("GET") ? null : "{}", null);
      assertEquals(405, result.status(), () -> method + " -> " + result);
      assertEquals("Method Not Allowed\n", result.body(), method);
      assertEquals("text/plain; charset=utf-8", result.header("Content-Type"), method);
    }
    HttpResult postVersion = http.post("/version", "");
    assertEquals(405, postVersion.status(), postVersion::toString);
    assertEquals("GET", postVersion.header("Allow"));
  }

  @Test
  void optionsAnswers200WithCorsHeadersOnAnyPath() {
    for (String path : new String[] {"/v3/kv/range", "/v3/kv/put", "/anything"}) {
      HttpResult result = http.send("OPTIONS", path, null, null);
      assertEquals(200, result.status(), () -> path + " -> " + result);
      assertEquals("", result.body(), path);
      assertCorsHeaders(result);
    }
  }

  @Test
  void versionAndHealth() {
    HttpResult version = http.get("/version");
    assertEquals(200, version.status(), version::toString);
    assertJsonContentType(version);
    assertCorsHeaders(version);
    JsonNode v = version.json();
    assertEquals(2, v.size(), version::toString);
    if (ServerUnderTest.isEtcd34(server)) {
      assertEquals("{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}", version.body());
    } else {
      assertTrue(v.path("etcdserver").asText().matches("3\\.5\\.[0-9]+"), version::toString);
      assertEquals("3.5.0", v.path("etcdcluster").asText(), version::toString);
    }

    HttpResult health = http.get("/health");
    assertEquals(200, health.status(), health::toString);
    // documented: 3.5 added "reason"
    assertEquals(ServerUnderTest.isEtcd34(server) ? "{\"health\":\"true\"}" : "{\"health\":\"true\",\"reason\":\"\"}",
        health.body());
  }

  // ---------------------------------------------------------------- JSON conventions

  @Test
  void putAndRangeUseStringInt64sBase64AndOmitDefaults() {
    HttpResult putResult = http.post("/v3/kv/put", obj("key", b64("sh/a"), "value", b64("1")));
    JsonNode put = expect200(putResult);
    assertCorsHeaders(putResult);
    long rev = EtcdJson.revision(put);

    JsonNode empty = put("sh/empty", "");
    long emptyRev = EtcdJson.revision(empty);
    assertEquals(rev + 1, emptyRev, "every put bumps the revision by exactly one");

    JsonNode range = range(obj("key", b64("sh/"), "range_end", b64("sh0")));
    assertEquals(obj("header", obj("revision", s(emptyRev)),
        "kvs", arr(kv("sh/a", rev, rev, 1, "1"), kv("sh/empty", emptyRev, emptyRev, 1, null)),
        "count", "2"), EtcdJson.withoutMemberIds(range));

    assertEquals(obj("header", obj("revision", s(emptyRev))),
        EtcdJson.withoutMemberIds(range(obj("key", b64("sh/missing")))),
        "an empty result has neither kvs nor count");

    JsonNode second = expect200(http.post("/v3/kv/put", obj("key", b64("sh/a"), "value", b64("2"), "prev_kv", true)));
    assertEquals(obj("header", obj("revision", s(emptyRev + 1)), "prev_kv", kv("sh/a", rev, rev, 1, "1")),
        EtcdJson.withoutMemberIds(second));
    JsonNode fresh = expect200(http.post("/v3/kv/put", obj("key", b64("sh/new"), "value", b64("x"), "prev_kv", true)));
    assertEquals(obj("header", obj("revision", s(emptyRev + 2))), EtcdJson.withoutMemberIds(fresh),
        "no prev_kv for a key that did not exist");

    // a put without lease on a key with ignore flags keeps value / lease
    JsonNode kept = expect200(http.post("/v3/kv/put", obj("key", b64("sh/a"), "ignore_value", true)));
    long keptRev = EtcdJson.revision(kept);
    assertEquals(arr(kv("sh/a", rev, keptRev, 3, "2")), range(obj("key", b64("sh/a"))).path("kvs"));
    expect200(http.post("/v3/kv/put", obj("key", b64("sh/a"), "value", b64("3"), "ignore_lease", true)));
    assertEquals(arr(kv("sh/a", rev, keptRev + 1, 4, "3")), range(obj("key", b64("sh/a"))).path("kvs"));
  }

  @Test
  void camelCaseNamesAndUnknownFieldsAreAccepted() {
    put("cc/a", "1");
    put("cc/b", "2");
    long rev = EtcdJson.revision(put("cc/c", "3"));
    JsonNode body = expect200(http.post("/v3/kv/range", "{\"key\":\"" + b64("cc/") + "\",\"rangeEnd\":\"" + b64("cc0")
        + "\",\"keysOnly\":true,\"sortOrder\":\"DESCEND\",\"bogusField\":{\"nested\":[1,2]},\"another\":null}"));
    assertEquals(obj("header", obj("revision", s(rev)), "kvs", arr(keyOnly("cc/c", rev, rev, 1),
        keyOnly("cc/b", rev - 1, rev - 1, 1), keyOnly("cc/a", rev - 2, rev - 2, 1)), "count", "3"),
        EtcdJson.withoutMemberIds(body));

    JsonNode countOnly = expect200(http.post("/v3/kv/range",
        "{\"key\":\"" + b64("cc/") + "\",\"rangeEnd\":\"" + b64("cc0") + "\",\"countOnly\":true}"));
    assertEquals(obj("header", obj("revision", s(rev)), "count", "3"), EtcdJson.withoutMemberIds(countOnly));

    JsonNode prev = expect200(http.post("/v3/kv/put",
        "{\"key\":\"" + b64("cc/a") + "\",\"value\":\"" + b64("9") + "\",\"prevKv\":true,\"unknown\":1}"));
    assertEquals(kv("cc/a", rev - 2, rev - 2, 1, "1"), prev.path("prev_kv"));
  }

  @Test
  void requestContentTypeIsIgnored() {
    long rev = EtcdJson.revision(put("ct/k", "v"));
    JsonNode expected = obj("header", obj("revision", s(rev)), "kvs", arr(kv("ct/k", rev, rev, 1, "v")), "count", "1");
    // over HTTP/1.1 even application/grpc* goes to the JSON gateway: etcd hands only HTTP/2 application/grpc to gRPC
    List<String> wrong = new ArrayList<>();
    for (String contentType : new String[] {null, "application/json", "text/plain",
        "application/x-www-form-urlencoded", "application/octet-stream", "application/grpc", "application/grpc+proto",
        "application/grpc-web", "application/grpc-web-text"}) {
      HttpResult result = http.post("/v3/kv/range", obj("key", b64("ct/k")).toString(), contentType);
      if (result.status() != 200 || !expected.equals(EtcdJson.withoutMemberIds(result.json()))) {
        wrong.add("Content-Type " + contentType + " -> " + result.status() + " " + result.headers().map() + " "
            + result.body());
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void chunkedBodiesAndExpectContinueAreAccepted() {
    long rev = EtcdJson.revision(put("ch/k", "v"));
    for (boolean expectContinue : new boolean[] {false, true}) {
      JsonNode body = expect200(http.postChunked("/v3/kv/range", obj("key", b64("ch/k")).toString(), expectContinue));
      assertEquals(arr(kv("ch/k", rev, rev, 1, "v")), body.path("kvs"), "Expect: 100-continue " + expectContinue);
    }
    String big = Base64.getEncoder().encodeToString(new byte[300_000]);
    JsonNode put = expect200(http.postChunked("/v3/kv/put",
        "{\"key\":\"" + b64("ch/big") + "\",\"value\":\"" + big + "\"}", true));
    assertEquals(big, range(obj("key", b64("ch/big"))).path("kvs").path(0).path("value").asText());
    assertEquals(rev + 1, EtcdJson.revision(put));
  }

  @Test
  void int64AndEnumFieldsAcceptNumbersAndStrings() {
    put("in/a", "1");
    put("in/b", "2");
    long rev = EtcdJson.revision(put("in/c", "3"));
    for (Object limit : new Object[] {2, "2"}) {
      JsonNode body = range(obj("key", b64("in/"), "range_end", b64("in0"), "limit", limit));
      assertEquals(obj("header", obj("revision", s(rev)),
          "kvs", arr(kv("in/a", rev - 2, rev - 2, 1, "1"), kv("in/b", rev - 1, rev - 1, 1, "2")),
          "more", true, "count", "3"), EtcdJson.withoutMemberIds(body), "limit " + limit);
    }
    for (Object order : new Object[] {"DESCEND", 2}) {
      JsonNode body = range(obj("key", b64("in/"), "range_end", b64("in0"), "sort_order", order,
          "sort_target", "VALUE", "keys_only", true));
      assertEquals(arr(keyOnly("in/c", rev, rev, 1), keyOnly("in/b", rev - 1, rev - 1, 1),
          keyOnly("in/a", rev - 2, rev - 2, 1)), body.path("kvs"), "sort_order " + order);
    }
  }

  // ---------------------------------------------------------------- range semantics

  @Test
  void rangeOptions() {
    long first = EtcdJson.revision(put("ro/a", "z"));
    put("ro/b", "y");
    put("ro/c", "x");
    long last = EtcdJson.revision(put("ro/a", "w"));
    ObjectNode all = obj("key", b64("ro/"), "range_end", b64("ro0"));

    assertEquals(arr(kv("ro/a", first, last, 2, "w"), kv("ro/c", first + 2, first + 2, 1, "x"),
        kv("ro/b", first + 1, first + 1, 1, "y")), range(all.deepCopy().put("sort_target", "MOD")
        .put("sort_order", "DESCEND")).path("kvs"));
    assertEquals(arr(kv("ro/a", first, last, 2, "w"), kv("ro/c", first + 2, first + 2, 1, "x"),
        kv("ro/b", first + 1, first + 1, 1, "y")), range(all.deepCopy().put("sort_target", "VALUE")).path("kvs"),
        "a sort target without order sorts ascending");
    assertEquals(arr(kv("ro/b", first + 1, first + 1, 1, "y"), kv("ro/c", first + 2, first + 2, 1, "x"),
        kv("ro/a", first, last, 2, "w")), range(all.deepCopy().put("sort_target", "VERSION")
        .put("sort_order", "ASCEND")).path("kvs"));

    JsonNode filtered = range(all.deepCopy().put("min_mod_revision", s(first + 1))
        .put("max_mod_revision", s(first + 2)));
    assertEquals(obj("header", obj("revision", s(last)), "kvs", arr(kv("ro/b", first + 1, first + 1, 1, "y"),
        kv("ro/c", first + 2, first + 2, 1, "x")), "count", "3"), EtcdJson.withoutMemberIds(filtered),
        "count ignores the min/max filters");
    assertEquals(arr(kv("ro/c", first + 2, first + 2, 1, "x")),
        range(all.deepCopy().put("min_create_revision", s(first + 2))).path("kvs"));
    assertEquals(arr(kv("ro/a", first, last, 2, "w")),
        range(all.deepCopy().put("max_create_revision", s(first))).path("kvs"));

    assertEquals(3, range(all.deepCopy().put("limit", -5)).path("kvs").size(), "negative limit = no limit");
    JsonNode atFirst = range(all.deepCopy().put("revision", s(first)));
    assertEquals(obj("header", obj("revision", s(last)), "kvs", arr(kv("ro/a", first, first, 1, "z")), "count", "1"),
        EtcdJson.withoutMemberIds(atFirst), "the header carries the current revision, not the requested one");
    assertEquals(obj("header", obj("revision", s(last))),
        EtcdJson.withoutMemberIds(range(obj("key", b64("ro/c"), "range_end", b64("ro/a")))),
        "key >= range_end is an empty range");
    JsonNode fromKey = range(obj("key", b64("ro/b"), "range_end", "AA==", "keys_only", true, "limit", 2));
    assertEquals(arr(keyOnly("ro/b", first + 1, first + 1, 1), keyOnly("ro/c", first + 2, first + 2, 1)),
        fromKey.path("kvs"), "range_end \\0 means every key >= key");
    assertEquals("1", range(obj("key", b64("ro/a"), "count_only", true)).path("count").asText());
  }

  @Test
  void deleteRangeReportsDeletedAndPrevKvsAndSkipsRevisionWhenNothingMatches() {
    long first = EtcdJson.revision(put("dr/a", "1"));
    put("dr/b", "2");
    long last = EtcdJson.revision(put("dr/c", "3"));
    JsonNode none = expect200(http.post("/v3/kv/deleterange", obj("key", b64("dr/zzz"))));
    assertEquals(obj("header", obj("revision", s(last))), EtcdJson.withoutMemberIds(none));
    JsonNode one = expect200(http.post("/v3/kv/deleterange", obj("key", b64("dr/c"))));
    assertEquals(obj("header", obj("revision", s(last + 1)), "deleted", "1"), EtcdJson.withoutMemberIds(one));
    JsonNode rest = expect200(http.post("/v3/kv/deleterange",
        obj("key", b64("dr/"), "range_end", b64("dr0"), "prev_kv", true)));
    assertEquals(obj("header", obj("revision", s(last + 2)), "deleted", "2",
        "prev_kvs", arr(kv("dr/a", first, first, 1, "1"), kv("dr/b", first + 1, first + 1, 1, "2"))),
        EtcdJson.withoutMemberIds(rest));
    long recreated = EtcdJson.revision(put("dr/a", "again"));
    assertEquals(arr(kv("dr/a", recreated, recreated, 1, "again")), range(obj("key", b64("dr/a"))).path("kvs"),
        "a deleted key starts again at version 1");
  }

  // ---------------------------------------------------------------- txn semantics

  @Test
  void txnComparesEveryTargetAndResult() {
    long created = EtcdJson.revision(put("tc/k", "m"));
    long modified = EtcdJson.revision(put("tc/k", "m2"));
    String k = b64("tc/k");
    Object[][] holding = {
        {"VERSION", "EQUAL", "version", "2"}, {"VERSION", "GREATER", "version", "1"},
        {"VERSION", "LESS", "version", "3"}, {"VERSION", "NOT_EQUAL", "version", "7"},
        {"CREATE", "EQUAL", "create_revision", s(created)}, {"CREATE", "LESS", "create_revision", s(modified)},
        {"MOD", "EQUAL", "mod_revision", s(modified)}, {"MOD", "GREATER", "mod_revision", s(created)},
        {"VALUE", "EQUAL", "value", b64("m2")}, {"VALUE", "GREATER", "value", b64("m1")},
        {"VALUE", "LESS", "value", b64("m3")}, {"VALUE", "NOT_EQUAL", "value", b64("m")},
        {"LEASE", "EQUAL", "lease", "0"}, {"LEASE", "LESS", "lease", "5"}};
    for (Object[] c : holding) {
      assertTxnBranch(true, obj("key", k, "target", c[0], "result", c[1], (String) c[2], c[3]));
    }
    Object[][] failing = {
        {"VERSION", "EQUAL", "version", "1"}, {"CREATE", "GREATER", "create_revision", s(created)},
        {"MOD", "LESS", "mod_revision", s(modified)}, {"VALUE", "EQUAL", "value", b64("m")},
        {"LEASE", "NOT_EQUAL", "lease", "0"}};
    for (Object[] c : failing) {
      assertTxnBranch(false, obj("key", k, "target", c[0], "result", c[1], (String) c[2], c[3]));
    }
    // EQUAL and VERSION are the zero values, so a compare may leave them out
    assertTxnBranch(true, obj("key", k, "version", "2"));
    // a missing key has version/create/mod/lease 0; a VALUE compare on it always fails
    String missing = b64("tc/missing");
    assertTxnBranch(true, obj("key", missing, "target", "CREATE", "create_revision", "0"));
    assertTxnBranch(true, obj("key", missing, "target", "MOD", "result", "LESS", "mod_revision", "1"));
    assertTxnBranch(false, obj("key", missing, "target", "VALUE", "result", "NOT_EQUAL", "value", b64("x")));
    // a compare with range_end must hold for every key in the range
    put("tc/r1", "a");
    put("tc/r2", "b");
    assertTxnBranch(true, obj("key", b64("tc/r1"), "range_end", b64("tc/r3"), "target", "VERSION", "version", "1"));
    assertTxnBranch(false, obj("key", b64("tc/r1"), "range_end", b64("tc/r3"), "target", "VALUE",
        "value", b64("a")));
  }

  @Test
  void txnBranchesUseOneRevisionAndSeeEarlierOps() {
    long before = EtcdJson.revision(put("tb/seed", "0"));
    JsonNode txn = expect200(http.post("/v3/kv/txn", obj(
        "compare", arr(obj("key", b64("tb/seed"), "target", "VALUE", "value", b64("0"))),
        "success", arr(
            obj("request_put", obj("key", b64("tb/a"), "value", b64("1"))),
            obj("request_put", obj("key", b64("tb/b"), "value", b64("2"))),
            obj("request_range", obj("key", b64("tb/"), "range_end", b64("tb0"), "keys_only", true)),
            obj("request_delete_range", obj("key", b64("tb/seed"), "prev_kv", true))),
        "failure", arr(obj("request_put", obj("key", b64("tb/a"), "value", b64("no")))))));
    long rev = before + 1;
    assertEquals(obj("header", obj("revision", s(rev)), "succeeded", true, "responses", arr(
        obj("response_put", obj("header", obj("revision", s(rev)))),
        obj("response_put", obj("header", obj("revision", s(rev)))),
        obj("response_range", obj("header", obj("revision", s(rev)), "kvs", arr(keyOnly("tb/a", rev, rev, 1),
            keyOnly("tb/b", rev, rev, 1), keyOnly("tb/seed", before, before, 1)), "count", "3")),
        obj("response_delete_range", obj("header", obj("revision", s(rev)), "deleted", "1",
            "prev_kvs", arr(kv("tb/seed", before, before, 1, "0")))))), EtcdJson.withoutMemberIds(txn));

    JsonNode failed = expect200(http.post("/v3/kv/txn", obj(
        "compare", arr(obj("key", b64("tb/a"), "target", "VALUE", "value", b64("other"))),
        "success", arr(obj("request_put", obj("key", b64("tb/a"), "value", b64("x")))),
        "failure", arr(obj("request_range", obj("key", b64("tb/a")))))));
    assertEquals(obj("header", obj("revision", s(rev)), "responses", arr(obj("response_range", obj(
        "header", obj("revision", s(rev)), "kvs", arr(kv("tb/a", rev, rev, 1, "1")), "count", "1")))),
        EtcdJson.withoutMemberIds(failed), "succeeded:false is omitted and a read-only txn keeps the revision");

    JsonNode empty = expect200(http.post("/v3/kv/txn", "{}"));
    assertEquals(obj("header", obj("revision", s(rev)), "succeeded", true), EtcdJson.withoutMemberIds(empty));
  }

  @Test
  void nestedTxnResponsesAndDuplicateRules() {
    long rev = EtcdJson.revision(put("nt/seed", "s")) + 1;
    JsonNode nested = expect200(http.post("/v3/kv/txn", obj("success", arr(
        obj("request_put", obj("key", b64("nt/a"), "value", b64("1"))),
        obj("request_txn", obj("success", arr(
            obj("request_put", obj("key", b64("nt/b"), "value", b64("2"))),
            obj("request_range", obj("key", b64("nt/a"))))))))));
    assertEquals(obj("header", obj("revision", s(rev)), "succeeded", true, "responses", arr(
        obj("response_put", obj("header", obj("revision", s(rev)))),
        obj("response_txn", obj("header", obj(), "succeeded", true, "responses", arr(
            obj("response_put", obj("header", obj("revision", s(rev)))),
            obj("response_range", obj("header", obj("revision", s(rev)),
                "kvs", arr(kv("nt/a", rev, rev, 1, "1")), "count", "1"))))))), EtcdJson.withoutMemberIds(nested));

    // then/else of one nested txn may put the same key, and so may the top-level success/failure lists
    expect200(http.post("/v3/kv/txn", obj("success", arr(obj("request_txn", obj(
        "success", arr(putOp("nt/y")), "failure", arr(putOp("nt/y"))))))));
    expect200(http.post("/v3/kv/txn", obj("success", arr(putOp("nt/z")), "failure", arr(putOp("nt/z")))));
    // deleting the same range twice is allowed
    expect200(http.post("/v3/kv/txn", obj("success", arr(deleteOp("nt/", "nt0"), deleteOp("nt/", "nt0")))));
  }

  // ---------------------------------------------------------------- errors (etcd-api.md §2.5)

  @Test
  void keyNotProvided() {
    String msg = "etcdserver: key is not provided";
    for (String route : new String[] {"/v3/kv/range", "/v3/kv/put", "/v3/kv/deleterange"}) {
      assertEtcdError(server, http.post(route, "{}"), 400, INVALID_ARGUMENT, msg);
      assertEtcdError(server, http.post(route, ""), 400, INVALID_ARGUMENT, msg);
      assertEtcdError(server, http.post(route, "null"), 400, INVALID_ARGUMENT, msg);
      assertEtcdError(server, http.post(route, "{\"key\":null}"), 400, INVALID_ARGUMENT, msg);
      assertEtcdError(server, http.post(route, "{\"key\":\"\",\"value\":\"" + b64("v") + "\"}"), 400,
          INVALID_ARGUMENT, msg);
    }
    assertEtcdError(server, http.post("/v3/kv/txn", obj("compare", arr(obj("target", "VALUE", "value", b64("x"))))),
        400, INVALID_ARGUMENT, msg);
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", arr(obj("request_range", obj("limit", 1))))),
        400, INVALID_ARGUMENT, msg);
    assertEtcdError(server, http.post("/v3/kv/txn", obj("failure", arr(obj("request_txn",
        obj("success", arr(obj("request_put", obj("value", b64("v"))))))))), 400, INVALID_ARGUMENT, msg);
  }

  @Test
  void valueOrLeaseProvidedWithIgnoreFlags() {
    put("ig/k", "v");
    assertEtcdError(server, http.post("/v3/kv/put", obj("key", b64("ig/k"), "value", b64("x"), "ignore_value", true)),
        400, INVALID_ARGUMENT, "etcdserver: value is provided");
    assertEtcdError(server, http.post("/v3/kv/put", obj("key", b64("ig/k"), "lease", "42", "ignore_lease", true)),
        400, INVALID_ARGUMENT, "etcdserver: lease is provided");
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", arr(obj("request_put",
        obj("key", b64("ig/k"), "value", b64("x"), "ignore_value", true))))),
        400, INVALID_ARGUMENT, "etcdserver: value is provided");
  }

  @Test
  void keyNotFound() {
    String msg = "etcdserver: key not found";
    assertEtcdError(server, http.post("/v3/kv/put", obj("key", b64("nf/missing"), "ignore_value", true)),
        400, INVALID_ARGUMENT, msg);
    assertEtcdError(server, http.post("/v3/kv/put", obj("key", b64("nf/missing"), "value", b64("v"),
        "ignore_lease", true)), 400, INVALID_ARGUMENT, msg);
    assertEtcdError(server, http.post("/v3/kv/txn", "{\"success\":[{}]}"), 400, INVALID_ARGUMENT, msg);
    assertEtcdError(server, http.post("/v3/kv/txn", "{\"failure\":[{\"Request\":{\"RequestPut\":{\"key\":\""
        + b64("nf/x") + "\"}}}]}"), 400, INVALID_ARGUMENT, msg);
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", arr(obj("request_put",
        obj("key", b64("nf/missing"), "ignore_value", true))))), 400, INVALID_ARGUMENT, msg);
    assertEquals(0, range(obj("key", b64("nf/"), "range_end", b64("nf0"))).path("kvs").size(),
        "a rejected request must not write anything");
  }

  @Test
  void tooManyOperationsInTxn() {
    String msg = "etcdserver: too many operations in txn request";
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", rangeOps("tm/", 129))),
        400, INVALID_ARGUMENT, msg);
    assertEtcdError(server, http.post("/v3/kv/txn", obj("failure", rangeOps("tm/", 129))),
        400, INVALID_ARGUMENT, msg);
    ArrayNode compares = Json.MAPPER.createArrayNode();
    for (int i = 0; i < 129; i++) {
      compares.add(obj("key", b64("tm/" + i), "target", "CREATE", "create_revision", "0"));
    }
    assertEtcdError(server, http.post("/v3/kv/txn", obj("compare", compares)), 400, INVALID_ARGUMENT, msg);
    ArrayNode puts = Json.MAPPER.createArrayNode();
    for (int i = 0; i < 128; i++) {
      puts.add(putOp("tm/" + i));
    }
    JsonNode ok = expect200(http.post("/v3/kv/txn", obj("success", puts)));
    long rev = EtcdJson.revision(ok);
    assertEquals(128, range(obj("key", b64("tm/"), "range_end", b64("tm0"), "count_only", true))
        .path("count").asInt(), "128 ops is the default limit, and all 128 puts share one revision");
    assertEquals(s(rev), range(obj("key", b64("tm/127"))).path("kvs").path(0).path("mod_revision").asText());

    // a nested txn gets the budget its parent leaves: 128 - 100 = 28 ops
    ArrayNode outer = rangeOps("tm/", 99);
    outer.add(obj("request_txn", obj("success", rangeOps("tm/", 28))));
    expect200(http.post("/v3/kv/txn", obj("success", outer)));
    ArrayNode overBudget = rangeOps("tm/", 99);
    overBudget.add(obj("request_txn", obj("success", rangeOps("tm/", 29))));
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", overBudget)), 400, INVALID_ARGUMENT, msg);
  }

  @Test
  void duplicateKeyInTxn() {
    String msg = "etcdserver: duplicate key given in txn request";
    JsonNode[] rejected = {
        obj("success", arr(putOp("du/a"), putOp("du/a"))),
        obj("failure", arr(putOp("du/a"), putOp("du/b"), putOp("du/a"))),
        obj("success", arr(deleteOp("du/", "du0"), putOp("du/a"))),
        obj("success", arr(putOp("du/a"), deleteOp("du/a", null))),
        obj("success", arr(putOp("du/a"), obj("request_txn", obj("success", arr(putOp("du/a")))))),
        obj("success", arr(deleteOp("du/", "du0"), obj("request_txn", obj("failure", arr(putOp("du/b")))))),
        obj("success", arr(obj("request_txn", obj("success", arr(deleteOp("du/", "du0")))), putOp("du/c"))),
        obj("success", arr(obj("request_txn", obj("success", arr(putOp("du/a")))),
            obj("request_txn", obj("failure", arr(putOp("du/a")))))),
        obj("success", arr(obj("request_txn", obj("success", arr(obj("request_txn",
            obj("success", arr(putOp("du/deep"), putOp("du/deep")))))))))};
    for (JsonNode txn : rejected) {
      HttpResult result = http.post("/v3/kv/txn", txn);
      assertEtcdError(server, result, 400, INVALID_ARGUMENT, msg);
    }
    assertEquals(0, range(obj("key", b64("du/"), "range_end", b64("du0"))).path("kvs").size());
  }

  @Test
  void compactedAndFutureRevisions() {
    String compacted = "etcdserver: mvcc: required revision has been compacted";
    String future = "etcdserver: mvcc: required revision is a future revision";
    long old = EtcdJson.revision(put("cf/k", "1"));
    long current = EtcdJson.revision(put("cf/k", "2"));
    assertEtcdError(server, http.post("/v3/kv/range", obj("key", b64("cf/k"), "revision", s(current + 1))),
        400, OUT_OF_RANGE, future);
    assertEtcdError(server, http.post("/v3/kv/compaction", obj("revision", s(current + 1))),
        400, OUT_OF_RANGE, future);
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", arr(obj("request_range",
        obj("key", b64("cf/k"), "revision", s(current + 5)))))), 400, OUT_OF_RANGE, future);

    JsonNode compaction = expect200(http.post("/v3/kv/compaction", obj("revision", s(current), "physical", true)));
    assertEquals(obj("header", obj("revision", s(current))), EtcdJson.withoutMemberIds(compaction),
        "compaction does not bump the revision");
    assertEtcdError(server, http.post("/v3/kv/range", obj("key", b64("cf/k"), "revision", s(old))),
        400, OUT_OF_RANGE, compacted);
    assertEtcdError(server, http.post("/v3/kv/compaction", obj("revision", s(current))),
        400, OUT_OF_RANGE, compacted);
    assertEtcdError(server, http.post("/v3/kv/compaction", obj("revision", s(old))),
        400, OUT_OF_RANGE, compacted);
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", arr(obj("request_range",
        obj("key", b64("cf/k"), "revision", s(old)))))), 400, OUT_OF_RANGE, compacted);
    // the compacted revision itself stays readable
    assertEquals(arr(kv("cf/k", old, current, 2, "2")),
        range(obj("key", b64("cf/k"), "revision", s(current))).path("kvs"));
    assertEquals(arr(kv("cf/k", old, current, 2, "2")),
        range(obj("key", b64("cf/k"), "revision", "-1")).path("kvs"), "revision <= 0 means latest");
  }

  @Test
  void unknownLeaseIsNotFound() {
    String msg = "etcdserver: requested lease not found";
    assertEtcdError(server, http.post("/v3/kv/put", obj("key", b64("ls/k"), "value", b64("v"), "lease", "1234567")),
        404, NOT_FOUND, msg);
    assertEtcdError(server, http.post("/v3/kv/txn", obj("success", arr(obj("request_put",
        obj("key", b64("ls/k"), "value", b64("v"), "lease", "99"))))), 404, NOT_FOUND, msg);
    assertEquals(0, range(obj("key", b64("ls/k"))).path("kvs").size());
  }

  @Test
  void requestTooLargeAndMessageTooLarge() {
    String nearLimit = Base64.getEncoder().encodeToString(new byte[MAX_REQUEST_BYTES]);
    assertEtcdError(server, http.post("/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\"" + nearLimit + "\"}"),
        400, INVALID_ARGUMENT, "etcdserver: request is too large");
    String oneMiB = Base64.getEncoder().encodeToString(new byte[1 << 20]);
    expect200(http.post("/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\"" + oneMiB + "\"}"));

    // 2 MiB + 10 bytes of value: the marshalled PutRequest is 2097172 bytes, over the 2 MiB receive limit
    String overReceiveLimit = Base64.getEncoder().encodeToString(new byte[2 * 1024 * 1024 + 10]);
    assertEtcdError(server, http.post("/v3/kv/put", "{\"key\":\"" + b64("big") + "\",\"value\":\""
        + overReceiveLimit + "\"}"), 429, RESOURCE_EXHAUSTED,
        "grpc: received message larger than max (2097172 vs. 2097152)");
    assertEquals(1 << 20, Base64.getDecoder().decode(range(obj("key", b64("big"))).path("kvs").path(0)
        .path("value").asText()).length, "the rejected puts left the 1 MiB value in place");
  }

  @Test
  void malformedJsonIsInvalidArgument() {
    String[] notAnObject = {"{\"key\":", "garbage", "[]", "\"Zm9v\"", "{\"key\" \"Zm9v\"}"};
    for (String body : notAnObject) {
      for (String route : new String[] {"/v3/kv/range", "/v3/kv/put", "/v3/kv/deleterange", "/v3/kv/txn",
          "/v3/kv/compaction"}) {
        assertDecodeError(route + " " + body, http.post(route, body));
      }
    }
    String[] badKey = {"{\"key\":\"!!!\"}", "{\"key\":123}", "{\"key\":[\"Zm9v\"]}", "{\"key\":{}}"};
    for (String body : badKey) {
      for (String route : new String[] {"/v3/kv/range", "/v3/kv/put", "/v3/kv/deleterange"}) {
        assertDecodeError(route + " " + body, http.post(route, body));
      }
    }
    String[] rangeFields = {"{\"key\":\"Zm9v\",\"limit\":1.5}", "{\"key\":\"Zm9v\",\"limit\":\"abc\"}",
        "{\"key\":\"Zm9v\",\"revision\":true}", "{\"key\":\"Zm9v\",\"count_only\":\"true\"}",
        "{\"key\":\"Zm9v\",\"keys_only\":1}", "{\"key\":\"Zm9v\",\"sort_order\":\"BOGUS\"}",
        "{\"key\":\"Zm9v\",\"range_end\":\"%%\"}"};
    for (String body : rangeFields) {
      assertDecodeError("/v3/kv/range " + body, http.post("/v3/kv/range", body));
    }
    String[] otherRoutes = {"/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"%%%\"}",
        "/v3/kv/put", "{\"key\":\"Zm9v\",\"lease\":\"1x\"}",
        "/v3/kv/put", "{\"key\":\"Zm9v\",\"prev_kv\":\"yes\"}",
        "/v3/kv/deleterange", "{\"key\":\"Zm9v\",\"prev_kv\":0}",
        "/v3/kv/txn", "{\"success\":[{\"request_put\":{\"key\":\"!\"}}]}",
        "/v3/kv/txn", "{\"compare\":[{\"key\":\"Zm9v\",\"target\":\"NOPE\"}]}",
        "/v3/kv/txn", "{\"compare\":[{\"key\":\"Zm9v\",\"version\":\"v\"}]}",
        "/v3/kv/txn", "{\"success\":{}}",
        "/v3/kv/compaction", "{\"revision\":\"x\"}",
        "/v3/kv/compaction", "garbage"};
    for (int i = 0; i < otherRoutes.length; i += 2) {
      assertDecodeError(otherRoutes[i] + " " + otherRoutes[i + 1], http.post(otherRoutes[i], otherRoutes[i + 1]));
    }
    assertEquals(0, range(obj("key", b64("foo"))).path("kvs").size(), "nothing was written");
  }

  @Test
  void base64MustBeStandardAndPadded() {
    // etcd 3.4/3.5 decode bytes with Go's encoding/json: unpadded or URL-safe base64 is a 400 (3.6 accepts both)
    for (String key : new String[] {"Zm9vYg", "_-8=", "Zm9v-w==", "Zm9vYmE"}) {
      assertDecodeError("key " + key, http.post("/v3/kv/put", "{\"key\":\"" + key + "\",\"value\":\"dg==\"}"));
    }
    // Go's decoder skips CR/LF inside base64
    JsonNode put = expect200(http.post("/v3/kv/put", "{\"key\":\"" + "Yj" + "\\n" + "Y0\",\"value\":\"dg==\"}"));
    assertEquals(arr(kv("b64", EtcdJson.revision(put), EtcdJson.revision(put), 1, "v")),
        range(obj("key", b64("b64"))).path("kvs"));
  }

  @Test
  void trailingDataAfterTheFirstJsonValueIsIgnored() {
    long rev = EtcdJson.revision(put("td/k", "v"));
    JsonNode body = expect200(http.post("/v3/kv/range", "{\"key\":\"" + b64("td/k") + "\"} trailing garbage"));
    assertEquals(arr(kv("td/k", rev, rev, 1, "v")), body.path("kvs"));
  }

  @Test
  void outOfRangeSortOrderMeansNoSorting() {
    // etcd 3.5 decodes unknown enum numbers and sorts only for ASCEND/DESCEND (3.6 added "invalid sort option")
    long first = EtcdJson.revision(put("so/a", "3"));
    put("so/b", "1");
    put("so/c", "2");
    for (Object order : new Object[] {3, 7}) {
      JsonNode body = range(obj("key", b64("so/"), "range_end", b64("so0"), "sort_order", order,
          "sort_target", "VALUE", "keys_only", true));
      assertEquals(arr(keyOnly("so/a", first, first, 1), keyOnly("so/b", first + 1, first + 1, 1),
          keyOnly("so/c", first + 2, first + 2, 1)), body.path("kvs"), "sort_order " + order);
    }
  }

  @Test
  void sortTargetOutOfRangeDoesNotTakeTheServerDown() {
    if (ServerUnderTest.isEtcd34(server)) {
      return; // documented: etcd 3.4/3.5 panic and die on this input (etcd-api.md §2.4); Keyway must not copy that
    }
    put("st/k", "v");
    HttpResult result = http.post("/v3/kv/range", obj("key", b64("st/k"), "sort_target", 9, "sort_order", 1));
    assertTrue(result.status() == 200 || result.status() == 400, result::toString);
    assertEquals(1, range(obj("key", b64("st/k"))).path("kvs").size(), "the server still answers");
  }

  // ---------------------------------------------------------------- helpers

  private static JsonNode expect200(HttpResult result) {
    assertEquals(200, result.status(), result::toString);
    assertJsonContentType(result);
    JsonNode body = result.json();
    assertFullHeader(body);
    return body;
  }

  private static void assertDecodeError(String request, HttpResult result) {
    try {
      GatewayAssertions.assertDecodeError(server, result);
    } catch (AssertionError e) {
      throw new AssertionError(request + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode put(String key, String value) {
    return expect200(http.post("/v3/kv/put", obj("key", b64(key), "value", b64(value))));
  }

  private static JsonNode range(JsonNode request) {
    return expect200(http.post("/v3/kv/range", request));
  }

  private void assertTxnBranch(boolean succeeded, JsonNode compare) {
    JsonNode txn = expect200(http.post("/v3/kv/txn", obj("compare", arr(compare),
        "success", arr(obj("request_range", obj("key", b64("tc/none")))))));
    if (succeeded) {
      assertTrue(txn.path("succeeded").asBoolean(), () -> compare + " should hold: " + txn);
      assertEquals(1, txn.path("responses").size(), txn::toString);
    } else {
      assertTrue(!txn.has("succeeded") && !txn.has("responses"), () -> compare + " should fail: " + txn);
    }
  }

  static ObjectNode kv(String key, long create, long mod, long version, String value) {
    return obj("key", b64(key), "create_revision", s(create), "mod_revision", s(mod), "version", s(version),
        "value", value == null || value.isEmpty() ? null : b64(value));
  }

  private static ObjectNode keyOnly(String key, long create, long mod, long version) {
    return kv(key, create, mod, version, null);
  }

  private static ObjectNode putOp(String key) {
    return obj("request_put", obj("key", b64(key), "value", b64("v")));
  }

  private static ObjectNode deleteOp(String key, String rangeEnd) {
    return obj("request_delete_range", obj("key", b64(key), "range_end", rangeEnd == null ? null : b64(rangeEnd)));
  }

  private static ArrayNode rangeOps(String prefix, int count) {
    ArrayNode ops = Json.MAPPER.createArrayNode();
    for (int i = 0; i < count; i++) {
      ops.add(obj("request_range", obj("key", b64(prefix + i))));
    }
    return ops;
  }

  private static String s(long value) {
    return String.valueOf(value);
  }
}
