package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The v2 keys API of Keyway against etcd 3.4 started with {@code --enable-v2}: the same requests to both, the
 * answers compared after putting indexes on a common base (etcd's v2 index and Keyway's v3 revision start at
 * different numbers, then move in step: one per write). Also dropped: expiration times (clocks differ; a ttl
 * must be there on both), the order of unsorted listings (Go map order), and, for a set over an existing file,
 * node.createdIndex (Keyway keeps the v3 create revision; a documented difference).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class V2DifferentialIT {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{i\\+(\\d+)}");
  private static final Pattern PADDED = Pattern.compile("\\d{20}");
  private static final Pattern CLEARED = Pattern.compile("the requested history has been cleared \\[(\\d+)/(\\d+)]");
  private static final Pattern INDEX_CAUSE = Pattern.compile("\\[(\\d+) != (\\d+)]");

  /** Files a set replaced: etcd gave them a new createdIndex, v3 keeps the key's create revision. */
  private static final java.util.Set<String> replacedFiles = new java.util.HashSet<>();
  private static ServerPair servers;
  private static Side etcd;
  private static Side keyway;

  /** One server, its client, and the index its v2 store stood at before the test wrote anything. */
  private record Side(String name, V2Http http, long base) {
    String fill(String template) {
      Matcher m = PLACEHOLDER.matcher(template);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(sb, Long.toString(base + Long.parseLong(m.group(1))));
      }
      return m.appendTail(sb).toString();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    servers = ServerPair.start("v2-diff", "--enable-v2");
    etcd = new Side("etcd", new V2Http(servers.etcd.clientUrl()), settledIndex(new V2Http(servers.etcd.clientUrl())));
    keyway = new Side("keyway", new V2Http(servers.keyway.clientUrl()),
        settledIndex(new V2Http(servers.keyway.clientUrl())));
  }

  @AfterAll
  static void stop() {
    ServerPair.close(servers);
  }

  /**
   * etcd writes its own entries (member attributes, cluster version) into the v2 store after it starts: wait for
   * the cluster version to be decided and the index to stay put for a second.
   */
  private static long settledIndex(V2Http http) throws InterruptedException {
    long last = -1;
    for (int i = 0; i < 60; i++) {
      boolean decided = !http.send("GET", "/version", null).body().contains("not_decided");
      long now = Long.parseLong(http.send("GET", "/v2/keys/", null).header("X-Etcd-Index"));
      if (decided && now == last) {
        return now;
      }
      last = now;
      Thread.sleep(1000);
    }
    throw new AssertionError("v2 index never settled");
  }

  // ---- comparing

  private static String step(String method, String path, String form) {
    HttpResult e = etcd.http().send(method, etcd.fill(path), form == null ? null : etcd.fill(form));
    HttpResult k = keyway.http().send(method, keyway.fill(path), form == null ? null : keyway.fill(form));
    String what = method + " " + path + (form == null ? "" : " <" + form + ">");
    assertSame(what, e, k);
    return k.body();
  }

  private static void assertSame(String what, HttpResult e, HttpResult k) {
    assertEquals(e.status(), k.status(), what + ": status; etcd " + e + " keyway " + k);
    assertEquals(e.header("Content-Type"), k.header("Content-Type"), what + ": content type");
    assertEquals(normalIndex(e.header("X-Etcd-Index"), etcd), normalIndex(k.header("X-Etcd-Index"), keyway),
        what + ": X-Etcd-Index; etcd " + e + " keyway " + k);
    if (e.header("X-Etcd-Cluster-Id") != null) {
      assertNotNull(k.header("X-Etcd-Cluster-Id"), what + ": X-Etcd-Cluster-Id");
    }
    if (e.header("X-Raft-Term") != null) {
      assertNotNull(k.header("X-Raft-Term"), what + ": X-Raft-Term");
      assertNotNull(k.header("X-Raft-Index"), what + ": X-Raft-Index");
    }
    assertBodies(what, e.body(), k.body());
  }

  private static void assertBodies(String what, String etcdBody, String keywayBody) {
    if (!etcdBody.startsWith("{")) {
      assertEquals(etcdBody, keywayBody, what + ": body");
      return;
    }
    JsonNode parsed = Json.parse(etcdBody);
    if ("set".equals(parsed.path("action").asText()) && parsed.path("prevNode").isObject()
        && !parsed.path("prevNode").path("dir").asBoolean() && !parsed.path("node").path("dir").asBoolean()) {
      replacedFiles.add(parsed.path("node").path("key").asText());
    }
    JsonNode e = normalize(parsed, etcd);
    JsonNode k = normalize(Json.parse(keywayBody), keyway);
    assertEquals(e, k, what + ": " + JsonDiff.firstDifference(e, k) + "\n etcd   " + etcdBody + " keyway " + keywayBody);
  }

  private static Long normalIndex(String header, Side side) {
    return header == null ? null : index(Long.parseLong(header), side);
  }

  private static long index(long v, Side side) {
    return v == 0 ? 0 : v - side.base();
  }

  private static JsonNode normalize(JsonNode body, Side side) {
    if (!body.isObject()) {
      return body;
    }
    ObjectNode o = ((ObjectNode) body).deepCopy();
    if (o.has("errorCode")) {
      o.put("index", index(o.get("index").asLong(), side));
      if (o.has("cause")) {
        o.put("cause", causeIndexes(padded(o.get("cause").asText(), side), side));
      }
      return o;
    }
    for (String field : new String[] {"node", "prevNode"}) {
      if (o.get(field) instanceof ObjectNode n) {
        node(n, side);
      }
    }
    return o;
  }

  private static void node(ObjectNode n, Side side) {
    for (String f : new String[] {"modifiedIndex", "createdIndex"}) {
      if (n.has(f)) {
        n.set(f, LongNode.valueOf(index(n.get(f).asLong(), side)));
      }
    }
    if (n.has("key")) {
      if (replacedFiles.contains(n.get("key").asText()) && !n.path("dir").asBoolean()) {
        n.remove("createdIndex");
      }
      n.set("key", TextNode.valueOf(padded(n.get("key").asText(), side)));
    }
    if (n.has("expiration")) {
      n.put("expiration", "<time>");
    }
    if (n.has("ttl")) {
      n.put("ttl", "<ttl>");
    }
    if (n.get("nodes") instanceof ArrayNode children) {
      List<ObjectNode> sorted = new ArrayList<>();
      for (JsonNode c : children) {
        ObjectNode child = (ObjectNode) c;
        node(child, side);
        sorted.add(child);
      }
      sorted.sort((a, b) -> a.path("key").asText().compareTo(b.path("key").asText()));
      children.removeAll();
      sorted.forEach(children::add);
    }
  }

  /** In-order key names are the index, zero-padded to 20 digits. */
  private static String padded(String s, Side side) {
    Matcher m = PADDED.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, String.format("%020d", index(Long.parseLong(m.group()), side)));
    }
    return m.appendTail(sb).toString();
  }

  private static String causeIndexes(String cause, Side side) {
    Matcher m = INDEX_CAUSE.matcher(cause);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, "[" + index(Long.parseLong(m.group(1)), side) + " != "
          + index(Long.parseLong(m.group(2)), side) + "]");
    }
    return m.appendTail(sb).toString();
  }

  // ---- the scenario, in order: every index below is relative to the start

  @Test
  @Order(1)
  void filesDirectoriesAndErrors() {
    step("PUT", "/v2/keys/a", "value=1");                    // i+1
    step("GET", "/v2/keys/a", null);
    step("PUT", "/v2/keys/a?value=2", null);                 // i+2, query string
    step("PUT", "/v2/keys/a?value=ignored", "value=3");      // i+3, the body wins
    step("HEAD", "/v2/keys/a", null);
    step("GET", "/v2/keys/missing", null);
    step("GET", "/v2/keys/missing/deeper", null);
    step("PUT", "/v2/keys/a/b", "value=x");                  // a is a file
    step("GET", "/v2/keys/a/b", null);
    step("PUT", "/v2/keys/d/e/f", "value=deep");             // i+4, creates d and d/e
    step("GET", "/v2/keys/d", null);
    step("GET", "/v2/keys/d?recursive=true", null);
    step("GET", "/v2/keys/?recursive=true&sorted=true", null);
    step("PUT", "/v2/keys/d", "value=x");                    // not a file
    step("PUT", "/v2/keys/d?dir=true", null);
    step("PUT", "/v2/keys/a?dir=true", null);                // i+5: a file becomes a directory
    step("PUT", "/v2/keys/m?dir=true", null);                // i+6
    step("PUT", "/v2/keys/m?dir=true", null);                // i+7? no: an existing dir is "not a file"
    step("PUT", "/v2/keys/m?dir=true&prevExist=false", null);
    step("PUT", "/v2/keys/", "value=x");
    step("POST", "/v2/keys/", "value=x");                    // in-order key at the root
    step("DELETE", "/v2/keys/", null);
    step("DELETE", "/v2/keys/?recursive=true", null);
    step("DELETE", "/v2/keys/?prevValue=x", null);
    step("GET", "/v2/keys/", null);
    step("GET", "/v2/keys", null);
  }

  @Test
  @Order(2)
  void preconditions() {
    step("PUT", "/v2/keys/c?prevExist=false", "value=one");
    step("PUT", "/v2/keys/c?prevExist=false", "value=two");
    step("PUT", "/v2/keys/c?prevExist=true", "value=two");
    step("PUT", "/v2/keys/nope?prevExist=true", "value=two");
    step("PUT", "/v2/keys/c?prevValue=two", "value=three");
    step("PUT", "/v2/keys/c?prevValue=wrong", "value=four");
    step("PUT", "/v2/keys/c?prevIndex={i+1}", "value=four");
    step("PUT", "/v2/keys/c?prevIndex={i+1}&prevValue=wrong", "value=four");
    step("PUT", "/v2/keys/c?prevIndex={i+1}&prevValue=three", "value=four");
    step("PUT", "/v2/keys/nope?prevValue=x", "value=four");
    step("PUT", "/v2/keys/m?prevValue=x", "value=four");
    step("PUT", "/v2/keys/c?prevExist=true&prevValue=three", "value=five");
    step("PUT", "/v2/keys/m?prevExist=true", "value=x");
    step("PUT", "/v2/keys/m?prevExist=true", null);
    step("DELETE", "/v2/keys/c?prevValue=wrong", null);
    step("DELETE", "/v2/keys/c?prevIndex={i+2}", null);
    step("DELETE", "/v2/keys/m?prevValue=x", null);
    step("DELETE", "/v2/keys/c?prevValue=five", null);
    step("DELETE", "/v2/keys/c?prevValue=five", null);
  }

  @Test
  @Order(3)
  void deletes() {
    step("PUT", "/v2/keys/t/x", "value=1");
    step("PUT", "/v2/keys/t/y/z", "value=2");
    step("DELETE", "/v2/keys/t", null);
    step("DELETE", "/v2/keys/t?dir=true", null);
    step("DELETE", "/v2/keys/t/x?dir=true", null);
    step("DELETE", "/v2/keys/t?recursive=true", null);
    step("DELETE", "/v2/keys/t?recursive=true", null);
    step("PUT", "/v2/keys/empty?dir=true", null);
    step("DELETE", "/v2/keys/empty?dir=true", null);
    step("DELETE", "/v2/keys/missing/x", null);
  }

  @Test
  @Order(4)
  void inOrderHiddenAndOddKeys() {
    step("POST", "/v2/keys/queue", "value=job1");
    step("POST", "/v2/keys/queue", "value=job2");
    step("POST", "/v2/keys/queue?dir=true", null);
    step("GET", "/v2/keys/queue?sorted=true", null);
    step("PUT", "/v2/keys/h/_secret", "value=s");
    step("PUT", "/v2/keys/h/_hd/x", "value=s");
    step("PUT", "/v2/keys/h/open", "value=o");
    step("GET", "/v2/keys/h?recursive=true", null);
    step("GET", "/v2/keys/h/_secret", null);
    step("PUT", "/v2/keys/odd%20key/%C3%A9t%C3%A9", "value=%3Cb%3E%26%22%5C%E2%80%A8");
    step("GET", "/v2/keys/odd%20key?recursive=true", null);
    step("PUT", "/v2/keys/n?noValueOnSuccess=true", "value=v");
    step("GET", "/v2/keys/n?noValueOnSuccess=true", null);
    step("PUT", "/v2/keys/e", "value=");
    step("GET", "/v2/keys/e", null);
  }

  @Test
  @Order(5)
  void badRequests() {
    step("PUT", "/v2/keys/b?ttl=abc", "value=1");
    step("PUT", "/v2/keys/b?ttl=-1", "value=1");
    step("PUT", "/v2/keys/b?prevIndex=x", "value=1");
    step("GET", "/v2/keys/b?wait=true&waitIndex=x", null);
    step("GET", "/v2/keys/b?recursive=maybe", null);
    step("GET", "/v2/keys/b?sorted=2", null);
    step("PUT", "/v2/keys/b?dir=yes", null);
    step("PUT", "/v2/keys/b?wait=true", "value=1");
    step("PUT", "/v2/keys/b?prevValue=", "value=1");
    step("PUT", "/v2/keys/b?prevExist=nah", "value=1");
    step("PUT", "/v2/keys/b?refresh=true&ttl=5", "value=1");
    step("PUT", "/v2/keys/b?refresh=true", null);
    step("PUT", "/v2/keys/b?refresh=oui&ttl=5", null);
    step("PUT", "/v2/keys/b?noValueOnSuccess=yes", "value=1");
    step("PUT", "/v2/keys/b?stream=nope", "value=1");
    step("PUT", "/v2/keys/b?quorum=nope", "value=1");
    step("PUT", "/v2/keys/b", "value=%zz");
    step("PATCH", "/v2/keys/b", null);
    step("GET", "/v2/nothing", null);
    step("PUT", "/v2/keys/b?refresh=true&ttl=5", null);
  }

  @Test
  @Order(6)
  void ttls() {
    step("PUT", "/v2/keys/ttl", "value=t&ttl=100");
    step("GET", "/v2/keys/ttl", null);
    step("PUT", "/v2/keys/ttl?refresh=true&ttl=200", null);
    step("PUT", "/v2/keys/ttl?prevExist=true", "value=u");     // an update without ttl makes it permanent
    step("GET", "/v2/keys/ttl", null);
    step("PUT", "/v2/keys/ttldir?dir=true&ttl=100", null);
    step("PUT", "/v2/keys/ttldir?dir=true&prevExist=true&ttl=200", null);
    step("GET", "/v2/keys/?sorted=true", null);
    step("PUT", "/v2/keys/refreshme?refresh=true&ttl=5", null);
  }

  @Test
  @Order(7)
  void watchHistory() {
    step("PUT", "/v2/keys/w/one", "value=1");
    step("PUT", "/v2/keys/w/two", "value=2");
    step("PUT", "/v2/keys/w/_hidden", "value=h");
    step("DELETE", "/v2/keys/w?recursive=true", null);
    for (int i = 1; i <= 5; i++) { // /a changed at i+1, i+2, i+3 and i+5
      step("GET", "/v2/keys/a?wait=true&waitIndex={i+" + i + "}", null);
    }
    String at = keyway.http().send("GET", "/v2/keys/", null).header("X-Etcd-Index");
    long since = Long.parseLong(at) - keyway.base() - 3;
    step("GET", "/v2/keys/w?wait=true&recursive=true&waitIndex={i+" + since + "}", null);
    step("GET", "/v2/keys/w/one?wait=true&waitIndex={i+" + since + "}", null);
    step("GET", "/v2/keys/?wait=true&recursive=true&waitIndex={i+" + since + "}", null);
    step("GET", "/v2/keys/w/two?wait=true&waitIndex={i+" + (since + 1) + "}", null);
  }

  @Test
  @Order(8)
  void longPolls() throws Exception {
    CompletableFuture<HttpResult> e1 = etcd.http().sendAsync("/v2/keys/lp/x?wait=true");
    CompletableFuture<HttpResult> k1 = keyway.http().sendAsync("/v2/keys/lp/x?wait=true");
    CompletableFuture<HttpResult> e2 = etcd.http().sendAsync("/v2/keys/lp?wait=true&recursive=true");
    CompletableFuture<HttpResult> k2 = keyway.http().sendAsync("/v2/keys/lp?wait=true&recursive=true");
    CompletableFuture<HttpResult> e3 = etcd.http().sendAsync("/v2/keys/lp?wait=true");
    CompletableFuture<HttpResult> k3 = keyway.http().sendAsync("/v2/keys/lp?wait=true");
    Thread.sleep(300);
    step("PUT", "/v2/keys/lp/y", "value=1");
    step("PUT", "/v2/keys/lp/x", "value=2");
    step("DELETE", "/v2/keys/lp?recursive=true", null);
    assertSame("wait lp/x", e1.get(10, TimeUnit.SECONDS), k1.get(10, TimeUnit.SECONDS));
    assertSame("wait lp recursive", e2.get(10, TimeUnit.SECONDS), k2.get(10, TimeUnit.SECONDS));
    assertSame("wait lp", e3.get(10, TimeUnit.SECONDS), k3.get(10, TimeUnit.SECONDS));
  }

  @Test
  @Order(9)
  void streamAndExpire() throws Exception {
    HttpResponse<Stream<String>> es = etcd.http().lines("/v2/keys/s?wait=true&recursive=true&stream=true");
    HttpResponse<Stream<String>> ks = keyway.http().lines("/v2/keys/s?wait=true&recursive=true&stream=true");
    assertEquals(es.statusCode(), ks.statusCode());
    step("PUT", "/v2/keys/s/ttl", "value=x&ttl=2");
    step("PUT", "/v2/keys/s/_h", "value=hidden");
    step("PUT", "/v2/keys/s/v", "value=1");
    CompletableFuture<HttpResult> ew = etcd.http().sendAsync(etcd.fill("/v2/keys/s/ttl?wait=true"));
    CompletableFuture<HttpResult> kw = keyway.http().sendAsync(keyway.fill("/v2/keys/s/ttl?wait=true"));
    HttpResult expiredEtcd = ew.get(15, TimeUnit.SECONDS);
    HttpResult expiredKeyway = kw.get(15, TimeUnit.SECONDS);
    assertSame("expire", expiredEtcd, expiredKeyway);
    assertEquals("expire", Json.parse(expiredKeyway.body()).path("action").asText());
    step("GET", "/v2/keys/s/ttl", null);
    List<String> etcdLines = take(es, 3);
    List<String> keywayLines = take(ks, 3);
    for (int i = 0; i < 3; i++) {
      assertBodies("stream event " + i, etcdLines.get(i), keywayLines.get(i));
    }

    // a directory with a TTL takes its subtree with it; a watcher below it hears the directory's expire
    step("PUT", "/v2/keys/tdir?dir=true&ttl=2", null);
    step("PUT", "/v2/keys/tdir/child", "value=c");
    CompletableFuture<HttpResult> ec = etcd.http().sendAsync("/v2/keys/tdir/child?wait=true");
    CompletableFuture<HttpResult> kc = keyway.http().sendAsync("/v2/keys/tdir/child?wait=true");
    HttpResult dirExpired = kc.get(15, TimeUnit.SECONDS);
    assertSame("expire of the directory above", ec.get(15, TimeUnit.SECONDS), dirExpired);
    // Keyway removes what the directory held in a revision of its own (documented): one more index from here on
    long reaped = Json.parse(dirExpired.body()).path("node").path("modifiedIndex").asLong() + 1;
    long deadline = System.currentTimeMillis() + 10_000;
    while (Long.parseLong(keyway.http().send("GET", "/v2/keys/", null).header("X-Etcd-Index")) < reaped
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    keyway = new Side(keyway.name(), keyway.http(), keyway.base() + 1);
    step("GET", "/v2/keys/tdir/child", null);
    step("PUT", "/v2/keys/tdir/child2", "value=c");
    step("GET", "/v2/keys/tdir?recursive=true", null);
  }

  private static List<String> take(HttpResponse<Stream<String>> response, int n) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      List<String> out = new ArrayList<>();
      Iterator<String> it = response.body().iterator();
      while (out.size() < n && it.hasNext()) {
        String line = it.next();
        if (!line.isBlank()) {
          out.add(line);
        }
      }
      response.body().close();
      return out;
    }).get(10, TimeUnit.SECONDS);
  }

  /**
   * Many parked long-polls are all answered by one write, and clients that hang up are forgotten at once: both
   * servers' own watcher count ({@code /v2/stats/store}) drops by the hung-up clients before the write and is
   * back where it started after it.
   */
  @Test
  @Order(10)
  void manyParkedLongPollsAndHangUps() throws Exception {
    int polls = Integer.getInteger("keyway.it.v2.polls", 1000);
    int hangUps = 100;
    List<List<CompletableFuture<HttpResult>>> answers = new ArrayList<>();
    List<List<java.net.Socket>> hungUp = new ArrayList<>();
    List<Integer> baselines = new ArrayList<>();
    for (Side side : List.of(etcd, keyway)) {
      int baseline = watchers(side);
      baselines.add(baseline);
      List<CompletableFuture<HttpResult>> parked = new ArrayList<>();
      for (int i = 0; i < polls; i++) {
        parked.add(side.http().sendAsync(i % 2 == 0 ? "/v2/keys/many/k?wait=true"
            : "/v2/keys/many?wait=true&recursive=true"));
      }
      answers.add(parked);
      List<java.net.Socket> sockets = new ArrayList<>();
      java.net.URI uri = java.net.URI.create(side == etcd ? servers.etcd.clientUrl() : servers.keyway.clientUrl());
      for (int i = 0; i < hangUps; i++) {
        java.net.Socket s = new java.net.Socket(uri.getHost(), uri.getPort());
        s.getOutputStream().write(("GET /v2/keys/many/k?wait=true HTTP/1.1\r\nHost: " + uri.getAuthority()
            + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sockets.add(s);
      }
      hungUp.add(sockets);
      awaitWatchers(side, baseline + polls + hangUps, 60_000);
    }
    for (int i = 0; i < 2; i++) {
      for (java.net.Socket s : hungUp.get(i)) {
        s.close();
      }
    }
    awaitWatchers(etcd, baselines.get(0) + polls, 5_000);
    awaitWatchers(keyway, baselines.get(1) + polls, 5_000);
    step("PUT", "/v2/keys/many/k", "value=1");
    for (int i = 0; i < polls; i++) {
      HttpResult e = answers.get(0).get(i).get(30, TimeUnit.SECONDS);
      HttpResult k = answers.get(1).get(i).get(30, TimeUnit.SECONDS);
      assertSame("long-poll " + i + " of " + polls, e, k);
      assertEquals("set", k.json().path("action").asText(), k.body());
    }
    awaitWatchers(etcd, baselines.get(0), 5_000);
    awaitWatchers(keyway, baselines.get(1), 5_000);
  }

  private static int watchers(Side side) {
    return side.http().send("GET", "/v2/stats/store", null).json().path("watchers").asInt(-1);
  }

  private static void awaitWatchers(Side side, int expected, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    int seen = watchers(side);
    while (seen != expected && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      seen = watchers(side);
    }
    assertEquals(expected, seen, side.name() + ": parked v2 watchers");
  }

  /**
   * A waitIndex whose history is gone: error 401 on both. etcd keeps the last 1 000 events, Keyway the MVCC
   * history back to the last compaction, so etcd gets 1 010 more writes and Keyway a compaction instead; the
   * answers then match but for the first index in the cause (where each server's history now starts).
   */
  @Test
  @Order(11)
  void historyClearedAfterCompaction() throws Exception {
    step("PUT", "/v2/keys/hc/a", "value=1");
    String asked = step("PUT", "/v2/keys/hc/a", "value=2");
    long keywayAsked = Json.parse(asked).path("node").path("modifiedIndex").asLong();
    long etcdAsked = index(keywayAsked, keyway) + etcd.base();
    step("PUT", "/v2/keys/hc/a", "value=3");
    int more = 1010;
    java.util.concurrent.ExecutorService fill = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<HttpResult>> puts = new ArrayList<>();
      for (int i = 0; i < more; i++) {
        String form = "value=" + i;
        puts.add(fill.submit(() -> etcd.http().send("PUT", "/v2/keys/hc/fill/" + form.length(), form)));
      }
      for (java.util.concurrent.Future<HttpResult> put : puts) {
        HttpResult r = put.get(60, TimeUnit.SECONDS);
        assertTrue(r.status() == 200 || r.status() == 201, r.toString());
      }
    } finally {
      fill.shutdownNow();
    }
    etcd = new Side(etcd.name(), etcd.http(), etcd.base() + more);
    long now = Long.parseLong(keyway.http().send("GET", "/v2/keys/", null).header("X-Etcd-Index"));
    servers.keyway.http().post("/v3/kv/compaction", "{\"revision\":\"" + now + "\",\"physical\":true}");
    String query = "/v2/keys/hc/a?wait=true&waitIndex=";
    HttpResult e = etcd.http().send("GET", query + etcdAsked, null);
    HttpResult k = keyway.http().send("GET", query + keywayAsked, null);
    String what = "wait on history that is gone";
    assertEquals(400, k.status(), k.toString());
    assertEquals(e.status(), k.status(), what + ": etcd " + e + " keyway " + k);
    assertEquals(normalIndex(e.header("X-Etcd-Index"), etcd), normalIndex(k.header("X-Etcd-Index"), keyway), what);
    JsonNode eb = normalize(Json.parse(e.body()), etcd);
    JsonNode kb = normalize(Json.parse(k.body()), keyway);
    assertEquals(401, kb.path("errorCode").asInt(), k.body());
    assertEquals("The event in requested index is outdated and cleared", kb.path("message").asText());
    // the cause names where the history now starts and the index asked for
    for (Object[] sb : new Object[][] {{eb, etcdAsked, e}, {kb, keywayAsked, k}}) {
      Matcher m = CLEARED.matcher(((JsonNode) sb[0]).path("cause").asText());
      assertTrue(m.matches(), sb[2].toString());
      long askedIndex = (Long) sb[1];
      assertTrue(Long.parseLong(m.group(1)) > askedIndex, sb[2].toString());
      assertEquals(askedIndex, Long.parseLong(m.group(2)), sb[2].toString());
      ((ObjectNode) sb[0]).put("cause", "<cleared>");
    }
    assertEquals(eb, kb, what + ": etcd " + e.body() + " keyway " + k.body());
    // past the cleared part, the history serves both again
    step("PUT", "/v2/keys/hc/b", "value=4");
    step("GET", "/v2/keys/hc?wait=true&recursive=true&waitIndex={i+" + (index(now, keyway) + 1) + "}", null);
  }

  @Test
  @Order(12)
  void keywayOnlyClusterEndpoints() {
    HttpResult members = keyway.http().send("GET", "/v2/members", null);
    assertEquals(200, members.status());
    JsonNode m = members.json().path("members").get(0);
    assertTrue(m.path("id").asText().matches("[0-9a-f]+"), members.body());
    assertEquals(servers.keyway.clientUrl(), m.path("clientURLs").get(0).asText());
    HttpResult machines = keyway.http().send("GET", "/v2/machines", null);
    assertEquals(servers.keyway.clientUrl(), machines.body());
    HttpResult self = keyway.http().send("GET", "/v2/stats/self", null);
    assertEquals("StateLeader", self.json().path("state").asText());
    assertEquals(m.path("id").asText(), self.json().path("leaderInfo").path("leader").asText());
    HttpResult store = keyway.http().send("GET", "/v2/stats/store", null);
    assertTrue(store.json().path("setsSuccess").asLong() > 0, store.body());
    assertNull(store.json().get("missing"));
  }

  @Test
  @Order(13)
  void keywayOnlyAuth() {
    Etcdctl ctl = new Etcdctl(servers.keyway.clientUrl());
    ctl.runAll(new String[][] {
        {"user", "add", "root:rootpw"},
        {"user", "add", "alice:alicepw"},
        {"role", "add", "app"},
        {"role", "grant-permission", "app", "readwrite", "/_v2/k/app", "--prefix=true"},
        {"role", "grant-permission", "app", "write", "/_v2/act"},
        {"user", "grant-role", "alice", "app"},
        {"auth", "enable"}});
    V2Http http = keyway.http();
    String alice = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:alicepw".getBytes());
    String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:nope".getBytes());
    HttpResult anonymous = http.send("GET", "/v2/keys/app/x", null);
    assertEquals(401, anonymous.status(), anonymous.toString());
    assertEquals(110, anonymous.json().path("errorCode").asInt());
    assertEquals("Insufficient credentials", anonymous.json().path("cause").asText());
    HttpResult put = http.send("PUT", "/v2/keys/app/x", "value=1", alice);
    assertEquals(201, put.status(), put.toString());
    assertEquals(200, http.send("GET", "/v2/keys/app/x", null, alice).status());
    assertEquals(401, http.send("GET", "/v2/keys/app/x", null, wrong).status());
    assertEquals(401, http.send("PUT", "/v2/keys/other", "value=1", alice).status());
    assertEquals(401, http.send("GET", "/v2/keys/a?wait=true", null, alice).status());
    assertEquals(401, http.send("GET", "/v2/keys/?recursive=true", null, alice).status());
    String token = servers.keyway.http().post("/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"alicepw\"}")
        .json().path("token").asText();
    HttpResult byToken = http.send("GET", "/v2/keys/app/x", null, token);
    assertEquals(200, byToken.status(), byToken.toString());
    assertEquals("1", byToken.json().path("node").path("value").asText());
    String root = "Basic " + java.util.Base64.getEncoder().encodeToString("root:rootpw".getBytes());
    assertEquals(200, http.send("GET", "/v2/keys/?recursive=true", null, root).status());
  }
}
