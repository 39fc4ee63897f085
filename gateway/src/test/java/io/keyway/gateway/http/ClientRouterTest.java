package io.keyway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.ServerFixture;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP side of a client port (gateway, basic endpoints, routing errors) against an in-memory member. */
class ClientRouterTest {
  private static FakeMember member;
  private static ServerFixture server;

  @BeforeAll
  static void start() throws Exception {
    member = new FakeMember();
    server = ServerFixture.serve(member, member, member, "--election-timeout", "500", "--heartbeat-interval", "50");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes());
  }

  private static void assertCors(HttpResponse<?> r) {
    assertEquals("POST, GET, OPTIONS, PUT, DELETE", r.headers().firstValue("Access-Control-Allow-Methods").orElse(""));
    assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertEquals("accept, content-type, authorization",
        r.headers().firstValue("Access-Control-Allow-Headers").orElse(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v3", "/v3beta"})
  void putThenRangeUnderEveryPrefix(String prefix) {
    String key = b64("k" + prefix);
    HttpResponse<String> put = server.post(prefix + "/kv/put", "{\"key\":\"" + key + "\",\"value\":\"" + b64("v") + "\"}");
    assertEquals(200, put.statusCode(), put.body());
    assertEquals("application/json", put.headers().firstValue("Content-Type").orElse(""));
    assertEquals("application/grpc", put.headers().firstValue("Grpc-Metadata-Content-Type").orElse(""));
    assertCors(put);
    assertTrue(put.body().startsWith("{\"header\":{\"cluster_id\":\"4660\",\"member_id\":\"43981\",\"revision\":\""),
        put.body());

    HttpResponse<String> range = server.post(prefix + "/kv/range", "{\"key\":\"" + key + "\"}");
    assertEquals(200, range.statusCode());
    assertTrue(range.body().contains("\"kvs\":[{\"key\":\"" + key + "\",\"create_revision\":\""), range.body());
    assertTrue(range.body().endsWith(",\"version\":\"1\",\"value\":\"" + b64("v") + "\"}],\"count\":\"1\"}"),
        range.body());
  }

  @Test
  void anyContentTypeIsAccepted() {
    HttpResponse<String> r = server.post("/v3/kv/range", "{\"key\":\"" + b64("none") + "\",\"count_only\":true}");
    assertEquals(200, r.statusCode());
    assertFalse(r.body().contains("kvs"));
  }

  @Test
  void badJsonGetsGosMessage() {
    HttpResponse<String> r = server.post("/v3/kv/range", "{\"key\":");
    assertEquals(400, r.statusCode());
    assertEquals("{\"error\":\"unexpected EOF\",\"code\":3,\"message\":\"unexpected EOF\"}", r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertFalse(r.headers().firstValue("Grpc-Metadata-Content-Type").isPresent()); // no gRPC call, no metadata
    assertCors(r);
  }

  @Test
  void emptyBodyReachesTheRpc() {
    HttpResponse<String> r = server.post("/v3/kv/range", "");
    assertEquals(400, r.statusCode());
    assertEquals("{\"error\":\"etcdserver: key is not provided\",\"code\":3,"
        + "\"message\":\"etcdserver: key is not provided\"}", r.body());
    // a failed gRPC call is trailers-only: etcd's gateway has no header metadata to forward
    assertFalse(r.headers().firstValue("Grpc-Metadata-Content-Type").isPresent());
  }

  @Test
  void statusAndMemberList() {
    HttpResponse<String> status = server.post("/v3/maintenance/status", "{}");
    assertEquals(200, status.statusCode());
    assertEquals("{\"header\":{\"cluster_id\":\"4660\",\"member_id\":\"43981\",\"revision\":\"" + member.revision()
        + "\",\"raft_term\":\"2\"},\"version\":\"3.5.17\",\"dbSize\":\"4096\",\"leader\":\"43981\","
        + "\"raftIndex\":\"7\",\"raftTerm\":\"2\",\"raftAppliedIndex\":\"6\",\"dbSizeInUse\":\"4096\"}", status.body());

    HttpResponse<String> members = server.post("/v3/cluster/member/list", "");
    assertEquals(200, members.statusCode());
    assertEquals("{\"header\":{\"cluster_id\":\"4660\",\"member_id\":\"43981\",\"raft_term\":\"2\"},"
        + "\"members\":[{\"ID\":\"43981\",\"name\":\"fake\",\"peerURLs\":[\"http://127.0.0.1:2380\"],"
        + "\"clientURLs\":[\"" + server.url("") + "\"]}]}", members.body());
  }

  @Test
  void unimplementedGatewayRouteIs501() {
    HttpResponse<String> r = server.post("/v3/lease/grant", "{\"TTL\":10}");
    assertEquals(501, r.statusCode());
    assertEquals("{\"error\":\"method LeaseGrant not implemented\",\"code\":12,"
        + "\"message\":\"method LeaseGrant not implemented\"}", r.body());
  }

  @Test
  void routingErrorsAreGos() {
    HttpResponse<String> wrongMethod = server.get("/v3/kv/range");
    assertEquals(405, wrongMethod.statusCode());
    assertEquals("Method Not Allowed\n", wrongMethod.body());
    assertEquals("text/plain; charset=utf-8", wrongMethod.headers().firstValue("Content-Type").orElse(""));
    assertCors(wrongMethod);

    HttpResponse<String> unknownGateway = server.post("/v3/kv/nope", "{}");
    assertEquals(404, unknownGateway.statusCode());
    assertEquals("Not Found\n", unknownGateway.body());
    assertEquals(404, server.post("/v3beta/kv/range/", "{}").statusCode()); // no trailing-slash leniency

    HttpResponse<String> unknown = server.get("/nope");
    assertEquals(404, unknown.statusCode());
    assertEquals("404 page not found\n", unknown.body());
    assertEquals("nosniff", unknown.headers().firstValue("X-Content-Type-Options").orElse(""));
  }

  /**
   * Keyway keeps serving /v3alpha (etcd 3.3's prefix) for old clients and scripts, where etcd 3.4 and 3.5 answer
   * 404 from their basic mux: a deliberate difference.
   */
  @Test
  void v3alphaIsServedForOldClients() {
    HttpResponse<String> r = server.post("/v3alpha/kv/range", "{\"key\":\"" + b64("k") + "\"}");
    assertEquals(200, r.statusCode(), r::body);
    assertEquals(301, server.post("/v3alpha//kv/range", "{}").statusCode());
  }

  private String raw(String requestLine) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
          + "Connection: close\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Go's ServeMux routes on the decoded path and redirects (301) a path that is not clean to its clean form. */
  @ParameterizedTest
  @ValueSource(strings = {
      "POST /v3//kv/range -> /v3/kv/range",
      "POST /v3/./kv/range -> /v3/kv/range",
      "POST /v3/kv/../kv/range?a=1 -> /v3/kv/range?a=1",
      "POST /v3beta//kv/range -> /v3/kv/range",
      "POST //v3/kv/range -> /v3/kv/range",
      "POST /v3/kv/range/. -> /v3/kv/range",
      "POST /v3// -> /v3/",
      "POST /v3 -> /v3/",
      "POST /v3?x=1 -> /v3/?x=1",
      "POST /v3/. -> /v3/",
      "POST /%2e%2e/version -> /version",
      "POST /a%20b/../c%20d -> /c%20d"})
  void uncleanPathsAreRedirected(String spec) throws IOException {
    String[] parts = spec.split(" -> ");
    String response = raw(parts[0]);
    assertTrue(response.startsWith("HTTP/1.1 301 Moved Permanently\r\n"), response);
    assertTrue(response.contains("\r\nLocation: " + parts[1] + "\r\n"), response);
    assertTrue(response.endsWith("\r\n\r\n"), response); // no body for POST
  }

  @Test
  void redirectOfAGetHasGosHtmlBody() throws IOException {
    String response = raw("GET /v3");
    assertTrue(response.startsWith("HTTP/1.1 301 Moved Permanently\r\n"), response);
    assertTrue(response.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"), response);
    assertTrue(response.endsWith("\r\n\r\n<a href=\"/v3/\">Moved Permanently</a>.\n\n"), response);
  }

  @Test
  void escapedPathsAreDecodedBeforeRouting() throws IOException {
    assertTrue(raw("POST /v3/kv/%72ange").startsWith("HTTP/1.1 400 Bad Request\r\n")); // reached the range RPC
    assertTrue(raw("POST /v3%2Fkv/range").contains("key is not provided"));
    assertTrue(raw("POST /vers%69on").startsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
    String bad = raw("POST /v3%zz");
    assertTrue(bad.startsWith("HTTP/1.1 400 Bad Request\r\n"), bad);
    assertTrue(bad.endsWith("\r\n\r\n400 Bad Request"), bad);
    assertFalse(bad.contains("Access-Control"), bad);
  }

  /** etcd ignores the Host header; Vert.x would reject these (and hang on the percent-encoded ones). */
  @ParameterizedTest
  @ValueSource(strings = {"%41", "%%%", "a%", "http://127.0.0.1:2379", "#initially=[x]"})
  void anyHostHeaderIsServed(String host) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /version HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
      assertTrue(response.endsWith("{\"etcdserver\":\"3.5.17\",\"etcdcluster\":\"3.5.0\"}"), response);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v3/kv/range", "/version", "/anything/at/all", "/health"})
  void optionsIsAlways200AndEmpty(String path) {
    HttpResponse<String> r = server.send("OPTIONS", path, null);
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
    assertCors(r);
  }

  @Test
  void version() {
    HttpResponse<String> r = server.get("/version");
    assertEquals(200, r.statusCode());
    assertEquals("{\"etcdserver\":\"3.5.17\",\"etcdcluster\":\"3.5.0\"}", r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
  }

  @Test
  void servesTheJavaScriptClientFromItsOneSourceFile() throws IOException {
    HttpResponse<String> r = server.get("/keyway.js");
    assertEquals(200, r.statusCode());
    assertEquals("text/javascript; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
    assertCors(r); // a page on another origin may import it
    assertEquals(Files.readString(Path.of("..", "clients", "js", "keyway.js")), r.body());
    HttpResponse<String> post = server.post("/keyway.js", "");
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/version", "/health", "/livez", "/readyz", "/readyz/non_learner"})
  void basicEndpointsOnlyAnswerGet(String path) {
    HttpResponse<String> r = server.post(path, "");
    assertEquals(405, r.statusCode());
    assertEquals("GET", r.headers().firstValue("Allow").orElse(""));
    assertEquals("Method Not Allowed\n", r.body());
  }

  @Test
  void health() {
    HttpResponse<String> ok = server.get("/health");
    assertEquals(200, ok.statusCode());
    assertEquals("{\"health\":\"true\",\"reason\":\"\"}", ok.body());

    member.setLeader(0);
    try {
      HttpResponse<String> noLeader = server.get("/health");
      assertEquals(503, noLeader.statusCode());
      assertEquals("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n", noLeader.body());
      assertEquals(200, server.get("/health?serializable=true").statusCode());
    } finally {
      member.setLeader(FakeMember.MEMBER_ID);
    }

    member.rangeHook = r -> CompletableFuture.failedFuture(EtcdError.TIMEOUT.exception());
    try {
      HttpResponse<String> failing = server.get("/health?exclude=NOSPACE");
      assertEquals(503, failing.statusCode());
      assertEquals("{\"health\":\"false\",\"reason\":\"RANGE ERROR:etcdserver: request timed out\"}\n",
          failing.body());
    } finally {
      member.rangeHook = null;
    }
  }

  @Test
  void livezAndReadyz() {
    assertEquals("ok\n", server.get("/livez").body());
    HttpResponse<String> verbose = server.get("/readyz?verbose");
    assertEquals(200, verbose.statusCode());
    assertEquals("[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n",
        verbose.body());
    assertEquals("nosniff", verbose.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertEquals("[+]data_corruption ok\n[+]non_learner ok\nok\n",
        server.get("/readyz?verbose&exclude=serializable_read&exclude=linearizable_read&exclude=bogus").body());
    assertEquals("[+]serializable_read ok\nok\n", server.get("/livez/serializable_read?verbose").body());
    assertEquals(404, server.get("/livez/non_learner").statusCode());

    member.setLearner(true);
    try {
      HttpResponse<String> learner = server.get("/readyz");
      assertEquals(503, learner.statusCode());
      assertEquals("[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n"
          + "[-]non_learner failed: not supported for learner\n\n", learner.body());
    } finally {
      member.setLearner(false);
    }
  }

  @Test
  void hungReadTimesOutInsteadOfHanging() {
    member.rangeHook = r -> new CompletableFuture<>();
    try {
      // --election-timeout 500 makes etcd's request timeout 6 s
      long start = System.nanoTime();
      HttpResponse<String> r = server.get("/livez");
      assertEquals(503, r.statusCode());
      assertEquals("[-]serializable_read failed: etcdserver: request timed out\n\n", r.body());
      assertTrue(System.nanoTime() - start < 15_000_000_000L);
    } finally {
      member.rangeHook = null;
    }
  }

  @Test
  void bodiesBeyondTheGrpcLimitGet429() {
    String big = "{\"key\":\"" + b64("k") + "\",\"value\":\"" + "A".repeat(3 * 1024 * 1024) + "\"}";
    HttpResponse<String> r = server.post("/v3/kv/put", big);
    assertEquals(429, r.statusCode());
    assertTrue(r.body().matches("\\{\"error\":\"grpc: received message larger than max \\(\\d+ vs\\. 2097152\\)\","
        + "\"code\":8,.*"), r.body());

    String huge = "{\"key\":\"" + b64("k") + "\",\"value\":\"" + "A".repeat(10 * 1024 * 1024) + "\"}";
    HttpResponse<String> h = server.post("/v3/kv/put", huge);
    assertEquals(429, h.statusCode());
    assertEquals(200, server.get("/version").statusCode()); // the connection pool is still usable
  }
}
