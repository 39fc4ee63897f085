package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JWT tokens ({@code --auth-token jwt,...,sign-method=RS256}) end to end, keys made by openssl: the token's claims,
 * its use over HTTP and by etcdctl, and etcd's rule that a JWT dies with any later auth change (it carries the
 * auth revision). Passes against etcd 3.4.23 as well.
 */
class AuthJwtIT {
  private static ServerProcess server;
  private static HttpJson http;

  @BeforeAll
  static void start() throws Exception {
    JwtKeys keys = JwtKeys.generate("jwt-keys");
    server = ServerUnderTest.start("jwt", keys.authTokenFlag("10m"));
    Etcdctl ctl = server.etcdctl();
    ctl.runAll(new String[][] {
        {"user", "add", "root:rootpw"}, {"user", "grant-role", "root", "root"},
        {"role", "add", "r"}, {"role", "grant-permission", "r", "readwrite", "j/", "--prefix"},
        {"user", "add", "u:upw"}, {"user", "grant-role", "u", "r"}, {"auth", "enable"}});
    http = new HttpJson(server.clientUrl());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void jwtCarriesUserRevisionExpiryAndDiesWithAuthChanges() {
    String token = token("u", "upw");
    String[] parts = token.split("\\.");
    assertEquals(3, parts.length, token);
    JsonNode header = Json.parse(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    JsonNode claims = Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    assertEquals("RS256", header.path("alg").asText(), header::toString);
    assertEquals("u", claims.path("username").asText(), claims::toString);
    assertTrue(claims.path("revision").asLong() > 0, claims::toString);
    long inTenMinutes = System.currentTimeMillis() / 1000 + 600;
    assertTrue(Math.abs(claims.path("exp").asLong() - inTenMinutes) < 120, claims::toString);

    String put = "{\"key\":\"" + Json.b64("j/k") + "\",\"value\":\"dg==\"}";
    assertEquals(200, http.post("/v3/kv/put", put, Map.of("Authorization", token)).status());
    HttpResult denied = http.post("/v3/kv/put", "{\"key\":\"" + Json.b64("other") + "\",\"value\":\"dg==\"}",
        Map.of("Authorization", token));
    assertEquals(403, denied.status(), denied::toString);
    HttpResult tampered = http.post("/v3/kv/put", put,
        Map.of("Authorization", parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10)));
    assertEquals(401, tampered.status(), tampered::toString);

    Etcdctl.Result ok = server.etcdctl().run("--user", "u:upw", "get", "j/k");
    assertEquals("j/k\nv\n", ok.stdout(), ok::toString);

    // any auth change moves the auth revision: tokens issued before it are refused
    Etcdctl.Result grant = server.etcdctl().run("--user", "root:rootpw", "role", "add", "another");
    assertEquals(0, grant.exitCode(), grant::toString);
    HttpResult stale = http.post("/v3/kv/put", put, Map.of("Authorization", token));
    assertEquals(400, stale.status(), stale::toString);
    assertEquals("etcdserver: revision of auth store is old", stale.json().path("message").asText(),
        stale::toString);
    assertEquals(200, http.post("/v3/kv/put", put, Map.of("Authorization", token("u", "upw"))).status());
  }

  private static String token(String user, String password) {
    HttpResult r = http.post("/v3/auth/authenticate",
        "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}");
    assertEquals(200, r.status(), r::toString);
    return r.json().path("token").asText();
  }
}
