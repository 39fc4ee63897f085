package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Auth end to end with the real etcdctl 3.4.23 and curl-style HTTP: users, roles, permissions, enable/disable,
 * simple tokens and the HTTP statuses of auth errors. The same sequence runs against etcd with
 * -Dkeyway.it.target=etcd; where Debian's 3.4.23 predates a fix Keyway follows (3.5.32+), both answers are
 * spelled out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthIT {
  private static final int TOKEN_TTL_SECONDS = 3;
  private static ServerProcess server;
  private static Etcdctl etcdctl;
  private static HttpJson http;

  @BeforeAll
  static void startServer() {
    server = ServerUnderTest.start("auth", "--auth-token-ttl=" + TOKEN_TTL_SECONDS);
    etcdctl = server.etcdctl();
    http = new HttpJson(server.clientUrl());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void etcdctlUserRoleAndAuthFlow() {
    assertEquals("User root created\n", ok("user", "add", "root:rootpw"));
    assertEquals("Role reader created\n", ok("role", "add", "reader"));
    assertEquals("Role reader updated\n", ok("role", "grant-permission", "reader", "read", "m/", "--prefix"));
    assertEquals("Role writer created\n", ok("role", "add", "writer"));
    assertEquals("Role writer updated\n", ok("role", "grant-permission", "writer", "readwrite", "m/", "--prefix"));
    assertEquals("Role writer updated\n", ok("role", "grant-permission", "writer", "write", "solo"));
    assertEquals("User alice created\n", ok("user", "add", "alice:apw"));
    assertEquals("User bob created\n", ok("user", "add", "bob:bpw"));
    assertEquals("Role reader is granted to user alice\n", ok("user", "grant-role", "alice", "reader"));
    assertEquals("Role writer is granted to user bob\n", ok("user", "grant-role", "bob", "writer"));
    assertEquals("Role root is granted to user root\n", ok("user", "grant-role", "root", "root"));
    assertEquals("Role writer\nKV Read:\n\t[m/, m0) (prefix m/)\nKV Write:\n\t[m/, m0) (prefix m/)\n\tsolo\n",
        ok("role", "get", "writer"));
    assertEquals("User: alice\nRoles: reader\n", ok("user", "get", "alice"));
    assertEquals("alice\nbob\nroot\n", ok("user", "list"));
    assertEquals("reader\nwriter\n", ok("role", "list"));
    fails("etcdserver: role name not found", "role", "get", "nope");
    fails("etcdserver: user name already exists", "user", "add", "alice:x");

    assertEquals("Authentication Enabled\n", ok("auth", "enable"));
    fails("etcdserver: user name is empty", "put", "m/k", "v");
    assertEquals("", ok("--user", "alice:apw", "get", "m/k"));
    assertEquals("OK\n", ok("--user", "bob:bpw", "put", "m/k", "v"));
    assertEquals("m/k\nv\n", ok("--user", "alice:apw", "get", "m/k"));
    fails("etcdserver: permission denied", "--user", "alice:apw", "put", "m/k", "x");
    fails("etcdserver: permission denied", "--user", "bob:bpw", "get", "solo");
    fails("etcdserver: permission denied", "--user", "bob:bpw", "get", "m/", "--from-key");
    fails("etcdserver: authentication failed, invalid user ID or password", "--user", "alice:wrong", "get", "m/k");
    fails("etcdserver: invalid auth management", "--user", "root:rootpw", "user", "delete", "root");
    fails("etcdserver: invalid auth management", "--user", "root:rootpw", "user", "revoke-role", "root", "root");
    fails("etcdserver: permission denied", "--user", "alice:apw", "user", "list");
    fails("etcdserver: permission denied", "--user", "alice:apw", "role", "get", "writer");
    assertEquals("User: alice\nRoles: reader\n", ok("--user", "alice:apw", "user", "get", "alice"));
    assertEquals("Role reader\nKV Read:\n\t[m/, m0) (prefix m/)\nKV Write:\n",
        ok("--user", "alice:apw", "role", "get", "reader"));
    assertEquals("m/k\nv\n", ok("--user", "root:rootpw", "get", "m/", "--prefix"));
  }

  @Test
  @Order(2)
  void httpStatusesOfAuthErrors() {
    String alice = token("alice", "apw");
    String range = "{\"key\":\"" + Json.b64("m/k") + "\"}";
    assertEquals(200, http.post("/v3/kv/range", range, Map.of("Authorization", alice)).status());
    assertEquals(200, http.post("/v3/kv/range", range, Map.of("Grpc-Metadata-Token", alice)).status());
    assertError(400, 3, "etcdserver: user name is empty", http.post("/v3/kv/range", range));
    assertError(401, 16, "etcdserver: invalid auth token",
        http.post("/v3/kv/range", range, Map.of("Authorization", "junk")));
    HttpResult bearer = http.post("/v3/kv/range", range, Map.of("Authorization", "Bearer " + alice));
    if (ServerUnderTest.isEtcd34(server)) {
      assertError(401, 16, "etcdserver: invalid auth token", bearer); // 3.5.32 strips "Bearer "
    } else {
      assertEquals(200, bearer.status(), bearer::toString);
    }
    assertError(403, 7, "etcdserver: permission denied", http.post("/v3/kv/put",
        "{\"key\":\"" + Json.b64("m/k") + "\",\"value\":\"eA==\"}", Map.of("Authorization", alice)));
    assertError(400, 3, "etcdserver: authentication failed, invalid user ID or password",
        http.post("/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"nope\"}"));
    assertError(400, 3, "etcdserver: authentication failed, invalid user ID or password",
        http.post("/v3/auth/authenticate", "{\"name\":\"nobody\",\"password\":\"nope\"}"));
    assertError(500, 2, "auth: permission denied",
        http.post("/v3/maintenance/defragment", "{}", Map.of("Authorization", alice)));
    assertError(403, 7, "etcdserver: permission denied",
        http.post("/v3/auth/user/add", "{\"name\":\"eve\",\"password\":\"x\"}", Map.of("Authorization", alice)));
    String root = token("root", "rootpw");
    if (!ServerUnderTest.isEtcd34(server)) { // etcd 3.4.23 panics on it (and again on every restart)
      HttpResult noPerm = http.post("/v3/auth/role/grant", "{\"name\":\"reader\"}", Map.of("Authorization", root));
      assertError(400, 3, "etcdserver: permission not given", noPerm);
    }
    assertError(400, 3, "etcdserver: invalid auth management",
        http.post("/v3/auth/role/delete", "{\"role\":\"root\"}", Map.of("Authorization", root)));
  }

  @Test
  @Order(3)
  void tokensDieWithPasswordChangeUserDeletionAndTtl() {
    String root = token("root", "rootpw");
    Map<String, String> asRoot = Map.of("Authorization", root);
    assertEquals(200, http.post("/v3/auth/user/add", "{\"name\":\"carol\",\"password\":\"c1\"}", asRoot).status());
    assertEquals(200, http.post("/v3/auth/user/grant", "{\"user\":\"carol\",\"role\":\"reader\"}", asRoot).status());
    String range = "{\"key\":\"" + Json.b64("m/k") + "\"}";
    String carol = token("carol", "c1");
    assertEquals(200, http.post("/v3/kv/range", range, Map.of("Authorization", carol)).status());
    assertEquals(200, http.post("/v3/auth/user/changepw", "{\"name\":\"carol\",\"password\":\"c2\"}",
        Map.of("Authorization", token("root", "rootpw"))).status());
    assertError(401, 16, "etcdserver: invalid auth token",
        http.post("/v3/kv/range", range, Map.of("Authorization", carol)));
    assertError(400, 3, "etcdserver: authentication failed, invalid user ID or password",
        http.post("/v3/auth/authenticate", "{\"name\":\"carol\",\"password\":\"c1\"}"));
    String carol2 = token("carol", "c2");
    assertEquals(200, http.post("/v3/kv/range", range, Map.of("Authorization", carol2)).status());
    assertEquals(200, http.post("/v3/auth/user/delete", "{\"name\":\"carol\"}",
        Map.of("Authorization", token("root", "rootpw"))).status());
    assertError(401, 16, "etcdserver: invalid auth token",
        http.post("/v3/kv/range", range, Map.of("Authorization", carol2)));

    String idle = token("alice", "apw");
    ServerProcess.sleep((TOKEN_TTL_SECONDS + 2) * 1000L); // unused for longer than its TTL
    assertError(401, 16, "etcdserver: invalid auth token",
        http.post("/v3/kv/range", range, Map.of("Authorization", idle)));
  }

  @Test
  @Order(4)
  void guessedTokensGetOnly401() {
    SecureRandom random = new SecureRandom();
    String range = "{\"key\":\"" + Json.b64("m/k") + "\"}";
    String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int i = 0; i < 200; i++) {
      StringBuilder guess = new StringBuilder();
      for (int c = 0; c < 16; c++) {
        guess.append(letters.charAt(random.nextInt(letters.length())));
      }
      // a raft index already applied: etcd waits for a token's index to be applied before answering
      guess.append('.').append(1 + random.nextInt(5));
      assertError(401, 16, "etcdserver: invalid auth token",
          http.post("/v3/kv/range", range, Map.of("Authorization", guess.toString())));
    }
    for (String malformed : new String[] {"x", ".", "..", "a.b.c", "Bearer", "Bearer ", "ZZZZZZZZZZZZZZZZ.x"}) {
      assertError(401, 16, "etcdserver: invalid auth token",
          http.post("/v3/kv/range", range, Map.of("Grpc-Metadata-Token", malformed)));
    }
    if (!ServerUnderTest.isEtcd34(server)) { // etcd waits (without end) for a token's index to be applied
      for (String future : new String[] {"abcdefghijklmnop.999999999", "ABCDEFGHIJKLMNOP.123456789012"}) {
        long started = System.nanoTime();
        assertError(401, 16, "etcdserver: invalid auth token",
            http.post("/v3/kv/range", range, Map.of("Authorization", future)));
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "a token naming a future index is refused at once");
      }
    }
    assertEquals(200, http.post("/v3/kv/range", range, Map.of("Authorization", token("alice", "apw"))).status());
  }

  @Test
  @Order(5)
  void disableEndsEnforcementAndTokens() {
    String alice = token("alice", "apw");
    String root = token("root", "rootpw");
    assertError(403, 7, "etcdserver: permission denied",
        http.post("/v3/auth/disable", "{}", Map.of("Authorization", alice)));
    assertEquals(200, http.post("/v3/auth/disable", "{}", Map.of("Authorization", root)).status());
    String range = "{\"key\":\"" + Json.b64("m/k") + "\"}";
    assertEquals(200, http.post("/v3/kv/range", range).status());
    HttpResult old = http.post("/v3/kv/range", range, Map.of("Authorization", alice));
    if (ServerUnderTest.isEtcd34(server)) {
      assertError(401, 16, "etcdserver: invalid auth token", old); // 3.4.28+ ignore tokens while disabled
    } else {
      assertEquals(200, old.status(), old::toString);
    }
    assertEquals("Authentication Disabled\n", ok("auth", "disable"));
    HttpResult off = http.post("/v3/auth/authenticate", "{\"name\":\"alice\",\"password\":\"apw\"}");
    assertEquals("etcdserver: authentication is not enabled", off.json().path("message").asText(), off::toString);
    assertNotEquals(200, off.status());
    assertEquals("OK\n", ok("put", "m/k", "free"));
  }

  private static String token(String user, String password) {
    HttpResult r = http.post("/v3/auth/authenticate",
        "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}");
    assertEquals(200, r.status(), r::toString);
    String token = r.json().path("token").asText();
    assertTrue(token.matches("[a-zA-Z]{16}\\.[0-9]+"), token);
    return token;
  }

  private static void assertError(int status, int code, String message, HttpResult result) {
    JsonNode body = result.json();
    assertEquals(status, result.status(), result::toString);
    assertEquals(code, body.path("code").asInt(), result::toString);
    assertEquals(message, body.path("message").asText(), result::toString);
    assertEquals(message, body.path("error").asText(), result::toString);
  }

  private static String ok(String... args) {
    Etcdctl.Result result = etcdctl.run(args);
    assertEquals(0, result.exitCode(), () -> "etcdctl " + String.join(" ", args) + " -> " + result);
    return result.stdout();
  }

  private static void fails(String serverError, String... args) {
    Etcdctl.Result result = etcdctl.run(args);
    // 1 for a failed request, 2 when etcdctl cannot even log in (--user with a wrong password)
    assertTrue(result.exitCode() == 1 || result.exitCode() == 2, result::toString);
    String[] lines = result.stderr().strip().split("\n");
    assertEquals("Error: " + serverError, lines[lines.length - 1], result::toString);
  }
}
