package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The permission matrix of etcd 3.5.32+ (2026 CVE fixes included): every HTTP route × {no token, bad token,
 * expired token, reader, writer, root}, then watch creation over WebSocket (token as {@code Bearer}
 * subprotocol or {@code token} cookie). Keyway only: Debian's etcd 3.4.23 predates these rules.
 */
class AuthMatrixIT {
  private static final int TOKEN_TTL_SECONDS = 2;
  private static final String[] WHO = {"none", "bad", "expired", "reader", "writer", "root"};
  private static ServerProcess server;
  private static HttpJson http;
  private static String expired;

  @BeforeAll
  static void start() {
    Assumptions.assumeFalse(ItEnvironment.targetIsEtcd(), "3.5.32+ rules; etcd 3.4.23 differs by design");
    server = ServerUnderTest.start("authmatrix", "--auth-token-ttl=" + TOKEN_TTL_SECONDS, "--bcrypt-cost=4");
    Etcdctl ctl = server.etcdctl();
    ctl.runAll(new String[][] {
        {"user", "add", "root:rootpw"}, {"user", "grant-role", "root", "root"},
        {"role", "add", "r"}, {"role", "grant-permission", "r", "read", "m/", "--prefix"},
        {"role", "add", "w"}, {"role", "grant-permission", "w", "readwrite", "m/", "--prefix"},
        {"user", "add", "reader:rpw"}, {"user", "grant-role", "reader", "r"},
        {"user", "add", "writer:wpw"}, {"user", "grant-role", "writer", "w"},
        {"put", "m/k", "v"}, {"put", "other", "v"}, {"auth", "enable"}});
    http = new HttpJson(server.clientUrl());
    expired = token("reader", "rpw");
    ServerProcess.sleep((TOKEN_TTL_SECONDS + 2) * 1000L); // never used, so older than its TTL from now on
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String token(String user, String password) {
    HttpResult r = http.post("/v3/auth/authenticate",
        "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}");
    assertEquals(200, r.status(), r::toString);
    return r.json().path("token").asText();
  }

  /** Fresh credentials per route: the short TTL would otherwise expire them during the run. */
  private static Map<String, String> headersFor(String who) {
    return switch (who) {
      case "none" -> Map.of();
      case "bad" -> Map.of("Authorization", "notAToken.1");
      case "expired" -> Map.of("Authorization", expired);
      case "reader" -> Map.of("Authorization", token("reader", "rpw"));
      case "writer" -> Map.of("Authorization", "Bearer " + token("writer", "wpw"));
      default -> Map.of("Grpc-Metadata-Token", token("root", "rootpw"));
    };
  }

  private record Route(String path, String body, int... statuses) {}

  private static final String MK = Json.b64("m/k");
  private static final String OTHER = Json.b64("other");
  private static final int E = 400; // user name is empty
  private static final int T = 401; // invalid auth token
  private static final int D = 403; // permission denied
  private static final int U = 500; // etcd 3.5's unmapped "auth: ..." maintenance errors

  @Test
  void everyRouteForEveryCaller() {
    List<Route> routes = List.of(
        new Route("/v3/kv/range", "{\"key\":\"" + MK + "\"}", E, T, T, 200, 200, 200),
        new Route("/v3/kv/range", "{\"key\":\"" + MK + "\",\"range_end\":\"AA==\"}", E, T, T, D, D, 200),
        new Route("/v3/kv/range", "{\"key\":\"" + OTHER + "\"}", E, T, T, D, D, 200),
        new Route("/v3/kv/put", "{\"key\":\"" + MK + "\",\"value\":\"eA==\"}", E, T, T, D, 200, 200),
        new Route("/v3/kv/put", "{\"key\":\"" + MK + "\",\"value\":\"eA==\",\"prev_kv\":true}", E, T, T, D, 200, 200),
        new Route("/v3/kv/deleterange", "{\"key\":\"" + Json.b64("m/gone") + "\"}", E, T, T, D, 200, 200),
        new Route("/v3/kv/txn", "{\"success\":[{\"request_range\":{\"key\":\"" + MK + "\"}}]}",
            E, T, T, 200, 200, 200),
        new Route("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + OTHER + "\",\"target\":\"VERSION\",\"version\":\"0\"}],"
            + "\"success\":[{\"request_put\":{\"key\":\"" + MK + "\"}}]}", E, T, T, D, D, 200),
        new Route("/v3/kv/txn", "{\"success\":[{\"request_txn\":{\"failure\":[{\"request_range\":{\"key\":\""
            + OTHER + "\"}}]}}]}", E, T, T, D, D, 200),
        new Route("/v3/kv/compaction", "{\"revision\":\"2\"}", E, T, T, D, D, 200),
        new Route("/v3/lease/grant", "{\"TTL\":\"60\"}", E, T, T, 200, 200, 200),
        new Route("/v3/lease/revoke", "{\"ID\":\"12345\"}", E, T, T, 404, 404, 404),
        new Route("/v3/lease/timetolive", "{\"ID\":\"12345\",\"keys\":true}", E, T, T, 200, 200, 200),
        new Route("/v3/lease/leases", "{}", E, T, T, 200, 200, 200),
        new Route("/v3/maintenance/status", "{}", E, T, T, 200, 200, 200),
        new Route("/v3/maintenance/alarm", "{}", E, T, T, 200, 200, 200),
        new Route("/v3/maintenance/alarm", "{\"action\":\"DEACTIVATE\",\"alarm\":\"NOSPACE\"}", E, T, T, D, D, 200),
        new Route("/v3/maintenance/defragment", "{}", U, U, U, U, U, 200),
        new Route("/v3/maintenance/hash", "{}", U, U, U, U, U, 200),
        new Route("/v3/maintenance/hashkv", "{}", U, U, U, U, U, 200),
        new Route("/v3/cluster/member/list", "{}", E, T, T, 200, 200, 200),
        new Route("/v3/auth/status", "{}", 200, T, T, 200, 200, 200),
        new Route("/v3/auth/user/list", "{}", E, T, T, D, D, 200),
        new Route("/v3/auth/role/list", "{}", E, T, T, D, D, 200),
        new Route("/v3/auth/user/get", "{\"name\":\"reader\"}", E, T, T, 200, D, 200),
        new Route("/v3/auth/role/get", "{\"role\":\"w\"}", E, T, T, D, 200, 200),
        new Route("/v3/auth/role/add", "{\"name\":\"x\"}", E, T, T, D, D, 200),
        new Route("/v3/auth/enable", "{}", E, T, T, D, D, 200));
    List<String> mismatches = new ArrayList<>();
    for (Route route : routes) {
      for (int i = 0; i < WHO.length; i++) {
        HttpResult r = http.post(route.path(), route.body(), headersFor(WHO[i]));
        if (r.status() != route.statuses()[i]) {
          mismatches.add(route.path() + " " + route.body() + " as " + WHO[i] + ": expected " + route.statuses()[i]
              + ", got " + r);
        }
      }
    }
    assertEquals(List.of(), mismatches);
  }

  @Test
  void watchCreationNeedsReadOnTheWholeRange() {
    Map<String, String> results = new LinkedHashMap<>();
    String create = "{\"create_request\":{\"key\":\"" + MK + "\"}}";
    String fromKey = "{\"create_request\":{\"key\":\"" + MK + "\",\"range_end\":\"AA==\"}}";
    results.put("none", watch(Map.of(), create));
    results.put("bad", watch(Map.of(), create, "Bearer", "notAToken.1"));
    results.put("reader-subprotocol", watch(Map.of(), create, "Bearer", token("reader", "rpw")));
    results.put("reader-cookie", watch(Map.of("Cookie", "token=" + token("reader", "rpw")), create));
    results.put("reader-from-key", watch(Map.of(), fromKey, "Bearer", token("reader", "rpw")));
    results.put("root-from-key", watch(Map.of(), fromKey, "Bearer", token("root", "rootpw")));
    assertEquals(Map.of(
        "none", "rpc error: code = InvalidArgument desc = etcdserver: user name is empty",
        "bad", "rpc error: code = Unauthenticated desc = etcdserver: invalid auth token",
        "reader-subprotocol", "created",
        "reader-cookie", "created",
        "reader-from-key", "rpc error: code = PermissionDenied desc = etcdserver: permission denied",
        "root-from-key", "created"), results);
  }

  /** "created", or the cancel reason of a refused create (which etcd sends created and canceled, id -1). */
  private static String watch(Map<String, String> headers, String create, String... subprotocols) {
    WsWatch ws = WsWatch.connect(server.clientUrl(), "/v3/watch", headers, subprotocols);
    try {
      ws.sendText(create);
      JsonNode result = ws.nextResult();
      assertTrue(result.path("created").asBoolean(), result::toString);
      if (!result.path("canceled").asBoolean()) {
        return "created";
      }
      assertEquals("-1", result.path("watch_id").asText(), result::toString);
      assertFalse(result.path("cancel_reason").asText().isEmpty(), result::toString);
      return result.path("cancel_reason").asText();
    } finally {
      ws.close();
    }
  }
}
