package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd's lock and election recipes against the Keyway executable: etcdctl's lock and elect commands (which
 * run the recipes client-side over KV, Lease and Watch), and the server-side Lock and Election services over
 * the HTTP gateway, whose answers are compared in shape with real etcd's.
 */
class LockElectionIT {
  private static ServerPair servers;
  private static ServerProcess keyway;
  private static ServerProcess etcd;

  @BeforeAll
  static void startServers() {
    servers = ServerPair.start("lock");
    keyway = servers.keyway;
    etcd = servers.etcd;
  }

  @AfterAll
  static void stopServers() {
    ServerPair.close(servers);
  }

  @Test
  void etcdctlLockRunsTheCommandHoldingTheLock() {
    for (ServerProcess server : List.of(keyway, etcd)) {
      Etcdctl.Result r = server.etcdctl().run("lock", "mylock", "--", "sh", "-c", "echo locked $ETCD_LOCK_KEY");
      assertEquals(0, r.exitCode(), server + ": " + r);
      assertTrue(r.stdout().matches("locked mylock/[0-9a-f]+\n"), server + ": " + r);
    }
    // the lock was released when the command ended
    Etcdctl.Result left = keyway.etcdctl().run("get", "--prefix", "mylock/");
    assertEquals("", left.stdout());
  }

  @Test
  void concurrentEtcdctlLockHoldersSerialize() throws Exception {
    Path log = Files.createTempFile("keyway-lock", ".log");
    String script = "echo in >> " + log + "; sleep 1; echo out >> " + log;
    List<CompletableFuture<Etcdctl.Result>> holders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      holders.add(CompletableFuture.supplyAsync(
          () -> keyway.etcdctl().run("lock", "serial", "--", "sh", "-c", script)));
    }
    for (CompletableFuture<Etcdctl.Result> h : holders) {
      Etcdctl.Result r = h.get(60, TimeUnit.SECONDS);
      assertEquals(0, r.exitCode(), r.toString());
    }
    assertEquals(List.of("in", "out", "in", "out", "in", "out"), Files.readAllLines(log));
  }

  /** A long-running etcdctl (elect); its output lines are read as they come. */
  private static final class Running implements AutoCloseable {
    final Process process;
    final BufferedReader out;

    Running(ServerProcess server, String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of(ItEnvironment.ETCDCTL_BINARY, "--endpoints=" + server.clientUrl()));
      cmd.addAll(List.of(args));
      ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
      b.environment().put("ETCDCTL_API", "3");
      process = b.start();
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    String line() throws Exception {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      process.destroy(); // SIGTERM: etcdctl resigns / closes its session
      process.waitFor(10, TimeUnit.SECONDS);
      process.destroyForcibly();
    }
  }

  @Test
  void etcdctlElectAndObserve() throws Exception {
    try (Running observer = new Running(keyway, "elect", "-l", "myelection")) {
      try (Running leader = new Running(keyway, "elect", "myelection", "v1")) {
        String key = leader.line();
        assertTrue(key.matches("myelection/[0-9a-f]+"), key);
        assertEquals("v1", leader.line());
        assertEquals(key, observer.line());
        assertEquals("v1", observer.line());
        try (Running second = new Running(keyway, "elect", "myelection", "v2")) {
          Thread.sleep(500);
          assertTrue(second.process.isAlive());
          leader.close(); // the first leader resigns: the second takes over, the observer sees it
          String key2 = second.line();
          assertTrue(key2.matches("myelection/[0-9a-f]+") && !key2.equals(key), key2);
          assertEquals("v2", second.line());
          assertEquals(key2, observer.line());
          assertEquals("v2", observer.line());
        }
      }
    }
  }

  // ---- the HTTP gateway, side by side with etcd ---------------------------------------------------------

  private static JsonNode post(ServerProcess server, String path, String body, int status) {
    HttpResult r = server.http().post(path, body);
    assertEquals(status, r.status(), server + " " + path + ": " + r);
    return r.json();
  }

  @Test
  void httpLockAndElectionRoutesAnswerLikeEtcd() throws Exception {
    for (ServerProcess server : List.of(keyway, etcd)) {
      JsonNode locked = post(server, "/v3/lock/lock", "{\"name\":\"aGw=\"}", 200); // "hl"
      assertEquals(List.of("header", "key"), fields(locked), server.toString());
      JsonNode unlocked = post(server, "/v3/lock/unlock", "{\"key\":\"" + locked.get("key").asText() + "\"}", 200);
      assertEquals(List.of("header"), fields(unlocked));

      JsonNode none = post(server, "/v3/election/leader", "{\"name\":\"aGU=\"}", 500);
      assertEquals("election: no leader", none.get("message").asText(), server.toString());
      assertEquals(2, none.get("code").asInt());
      JsonNode missing = post(server, "/v3/election/proclaim", "{\"value\":\"dg==\"}", 500);
      assertEquals("\"leader\" field must be provided", missing.get("message").asText());

      JsonNode won = post(server, "/v3/election/campaign", "{\"name\":\"aGU=\",\"value\":\"djE=\"}", 200);
      assertEquals(List.of("header", "leader"), fields(won));
      JsonNode leaderKey = won.get("leader");
      assertEquals(List.of("name", "key", "rev", "lease"), fields(leaderKey));
      assertEquals(won.get("header").get("revision").asText(), leaderKey.get("rev").asText());

      // observe: the current leader first, then its proclamation
      HttpRequest observe = HttpRequest.newBuilder(URI.create(server.clientUrl() + "/v3/election/observe"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"aGU=\"}")).build();
      HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient()
          .sendAsync(observe, HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
      assertEquals(200, stream.statusCode());
      BufferedReader chunks = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
      JsonNode first = Json.parse(chunks.readLine()).get("result");
      assertEquals(List.of("header", "kv"), fields(first));
      assertEquals("djE=", first.get("kv").get("value").asText());

      JsonNode proclaimed = post(server, "/v3/election/proclaim",
          "{\"leader\":" + leaderKey + ",\"value\":\"djI=\"}", 200);
      assertEquals(List.of("header"), fields(proclaimed));
      JsonNode second = Json.parse(chunks.readLine()).get("result");
      assertEquals("djI=", second.get("kv").get("value").asText());
      assertEquals("2", second.get("kv").get("version").asText());
      stream.body().close();

      JsonNode current = post(server, "/v3/election/leader", "{\"name\":\"aGU=\"}", 200);
      assertEquals(List.of("header", "kv"), fields(current));
      assertEquals(List.of("key", "create_revision", "mod_revision", "version", "value", "lease"),
          fields(current.get("kv")));
      post(server, "/v3/election/resign", "{\"leader\":" + leaderKey + "}", 200);
      JsonNode stale = post(server, "/v3/election/proclaim", "{\"leader\":" + leaderKey + ",\"value\":\"eA==\"}", 500);
      assertEquals("election: not leader", stale.get("message").asText());
      post(server, "/v3/election/leader", "{\"name\":\"aGU=\"}", 500);
    }
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
