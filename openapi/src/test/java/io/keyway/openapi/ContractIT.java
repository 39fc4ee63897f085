package io.keyway.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.it.KeywayProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the real jar to the contract: every documented route exists (and nothing else under /v3), and the
 * bodies of real calls — successes, errors, stream lines — conform to the closed schemas, so a renamed,
 * mistyped or extra field fails here.
 */
class ContractIT {
  private static final Path FILE = Path.of(System.getProperty("keyway.openapi.file", "keyway-openapi.json"));
  /** Routes a probe with an empty body would change state or block on; the session below calls them properly. */
  private static final Set<String> NOT_PROBED = Set.of("/v3/auth/enable", "/v3/lock/lock", "/v3/election/campaign",
      "/v3/election/observe", "/v3/watch", "/v3/lease/keepalive", "/v3/maintenance/snapshot",
      "/v3/maintenance/transfer-leadership", "/v3/maintenance/downgrade", "/v3/cluster/member/add",
      "/v3/kv/compaction", "/v3/lease/grant", "/v3/maintenance/alarm");

  private static KeywayProcess server;
  private static String url;
  private static ContractValidator contract;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws IOException {
    contract = new ContractValidator(FILE);
    server = new KeywayProcess("contract");
    server.start();
    url = server.clientUrl();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Calls a unary route and checks the body against the schema the contract gives for the status. */
  private static String call(String path, String body, int expectedStatus) throws Exception {
    HttpResponse<String> r = post(path, body);
    assertEquals(expectedStatus, r.statusCode(), () -> path + " " + body + " -> " + r.body());
    assertNull(contract.violations(contract.responseRef(path, "post", r.statusCode()), r.body()), path);
    return r.body();
  }

  /** Opens a streaming route, reads the first lines, and checks each against the route's stream schema. */
  private static List<String> streamLines(String path, String body, int lines) throws Exception {
    HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    List<String> read = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String ref = contract.responseRef(path, "post", 200);
      while (read.size() < lines) {
        String line = in.readLine();
        if (line == null) {
          break;
        }
        assertNull(contract.violations(ref, line), path);
        read.add(line);
      }
    }
    return read;
  }

  @Test
  void everyDocumentedRouteIsServedAndAnswersWithADocumentedShape() throws Exception {
    var paths = contract.contract().getJsonObject("paths");
    HttpResponse<String> unknown = post("/v3/kv/nosuchroute", "{}");
    assertEquals(404, unknown.statusCode(), "an undocumented route is served");
    int probed = 0;
    for (String path : paths.fieldNames()) {
      if (!paths.getJsonObject(path).containsKey("post") || NOT_PROBED.contains(path)) {
        continue;
      }
      HttpResponse<String> r = post(path, "{}");
      // 404 is also etcd's status for a missing lease or member: only the router's own 404 means "no route"
      assertTrue(r.statusCode() != 404 || !r.body().equals(unknown.body()), () -> path + " is not served");
      assertNotEquals(405, r.statusCode(), path);
      // etcd's lock and election services pass client errors through as gRPC Unknown, which the gateway maps
      // to 500 with etcd's message; any other 5xx would be a server fault
      boolean passedThrough = r.statusCode() == 500 && (path.startsWith("/v3/lock/") || path.startsWith("/v3/election/"))
          && r.body().contains("\"code\":2,");
      assertTrue(r.statusCode() < 500 || r.statusCode() == 501 || r.statusCode() == 503 || passedThrough,
          () -> path + " -> " + r.statusCode() + " " + r.body());
      assertNull(contract.violations(contract.responseRef(path, "post", r.statusCode()), r.body()), path);
      probed++;
    }
    assertTrue(probed >= 35, "probed " + probed);
  }

  @Test
  void kvCallsConform() throws Exception {
    call("/v3/kv/put", "{\"key\":\"" + b64("c/a") + "\",\"value\":\"" + b64("1") + "\"}", 200);
    call("/v3/kv/put", "{\"key\":\"" + b64("c/a") + "\",\"value\":\"" + b64("2") + "\",\"prev_kv\":true}", 200);
    call("/v3/kv/put", "{\"key\":\"" + b64("c/b") + "\",\"value\":\"\"}", 200);
    String range = call("/v3/kv/range", "{\"key\":\"" + b64("c/") + "\",\"range_end\":\"" + b64("c0")
        + "\",\"limit\":1}", 200);
    assertTrue(range.contains("\"more\":true"), range);
    call("/v3/kv/range", "{\"key\":\"" + b64("c/") + "\",\"range_end\":\"" + b64("c0") + "\",\"count_only\":true}", 200);
    call("/v3/kv/range", "{\"key\":\"" + b64("c/") + "\",\"range_end\":\"" + b64("c0") + "\",\"keys_only\":true,"
        + "\"sort_order\":\"DESCEND\",\"sort_target\":\"MOD\",\"serializable\":true}", 200);
    call("/v3/kv/range", "{\"key\":\"" + b64("nothing") + "\"}", 200);
    call("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + b64("c/a") + "\",\"target\":\"VALUE\",\"value\":\"" + b64("2")
        + "\"}],\"success\":[{\"request_range\":{\"key\":\"" + b64("c/a") + "\"}},{\"request_put\":{\"key\":\""
        + b64("c/t") + "\",\"value\":\"" + b64("t") + "\",\"prev_kv\":true}},{\"request_delete_range\":{\"key\":\""
        + b64("c/b") + "\",\"prev_kv\":true}},{\"request_txn\":{\"success\":[{\"request_range\":{\"key\":\""
        + b64("c/t") + "\"}}]}}]}", 200);
    call("/v3/kv/deleterange", "{\"key\":\"" + b64("c/") + "\",\"range_end\":\"" + b64("c0") + "\",\"prev_kv\":true}", 200);
    call("/v3/kv/put", "{\"key\":\"\"}", 400);
    String head = call("/v3/kv/put", "{\"key\":\"" + b64("c/rev") + "\"}", 200);
    long rev = Long.parseLong(head.replaceAll(".*\"revision\":\"(\\d+)\".*", "$1"));
    call("/v3/kv/compaction", "{\"revision\":\"" + rev + "\",\"physical\":true}", 200);
    call("/v3/kv/range", "{\"key\":\"" + b64("c/rev") + "\",\"revision\":\"" + (rev - 1) + "\"}", 400);
  }

  @Test
  void leaseLockElectionAndMaintenanceCallsConform() throws Exception {
    String grant = call("/v3/lease/grant", "{\"TTL\":\"60\"}", 200);
    String id = grant.replaceAll(".*\"ID\":\"(\\d+)\".*", "$1");
    call("/v3/kv/put", "{\"key\":\"" + b64("leased") + "\",\"lease\":\"" + id + "\"}", 200);
    call("/v3/lease/timetolive", "{\"ID\":\"" + id + "\",\"keys\":true}", 200);
    call("/v3/lease/leases", "{}", 200);
    assertEquals(1, streamLines("/v3/lease/keepalive", "{\"ID\":\"" + id + "\"}", 1).size());

    String locked = call("/v3/lock/lock", "{\"name\":\"" + b64("l") + "\",\"lease\":\"" + id + "\"}", 200);
    String lockKey = locked.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
    call("/v3/lock/unlock", "{\"key\":\"" + lockKey + "\"}", 200);
    String won = call("/v3/election/campaign", "{\"name\":\"" + b64("e") + "\",\"lease\":\"" + id
        + "\",\"value\":\"" + b64("v") + "\"}", 200);
    String leader = won.substring(won.indexOf("\"leader\":") + 9, won.lastIndexOf('}'));
    call("/v3/election/proclaim", "{\"leader\":" + leader + ",\"value\":\"" + b64("w") + "\"}", 200);
    call("/v3/election/leader", "{\"name\":\"" + b64("e") + "\"}", 200);
    call("/v3/election/resign", "{\"leader\":" + leader + "}", 200);
    call("/v3/lease/revoke", "{\"ID\":\"" + id + "\"}", 200);
    call("/v3/lease/revoke", "{\"ID\":\"" + id + "\"}", 404);

    call("/v3/maintenance/status", "{}", 200);
    call("/v3/maintenance/hash", "{}", 200);
    call("/v3/maintenance/hashkv", "{}", 200);
    call("/v3/maintenance/alarm", "{}", 200);
    call("/v3/maintenance/defragment", "{}", 200);
    call("/v3/cluster/member/list", "{}", 200);
    assertEquals(2, streamLines("/v3/maintenance/snapshot", "{}", 2).size());
  }

  @Test
  void watchStreamLinesConform() throws Exception {
    String put = call("/v3/kv/put", "{\"key\":\"" + b64("w") + "\",\"value\":\"" + b64("1") + "\"}", 200);
    long rev = Long.parseLong(put.replaceAll(".*\"revision\":\"(\\d+)\".*", "$1"));
    call("/v3/kv/deleterange", "{\"key\":\"" + b64("w") + "\"}", 200);
    List<String> lines = streamLines("/v3/watch", "{\"create_request\":{\"key\":\"" + b64("w") + "\",\"start_revision\":\""
        + rev + "\",\"prev_kv\":true}}", 2);
    assertTrue(lines.get(0).contains("\"created\":true"), lines.toString());
    assertTrue(lines.get(1).contains("\"type\":\"DELETE\""), lines.toString());
  }
}
