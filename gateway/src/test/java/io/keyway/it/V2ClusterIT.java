package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The v2 API on a 3-member Keyway cluster, through its real clients: {@code ETCDCTL_API=2 etcdctl} and Debian's
 * python-etcd (run by the system python, which is where Debian installs it). A long-poll on one member answers a
 * write made on another, and a TTL key expires once for the whole cluster.
 */
class V2ClusterIT {
  private static final String PYTHON = "/usr/bin/python3";
  private static ProcessCluster cluster;

  @BeforeAll
  static void start() {
    cluster = ProcessCluster.start("v2c", 3);
    cluster.awaitLeader(cluster.members(), 30_000);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static V2Http http(int member) {
    return new V2Http(cluster.member(member).clientUrl());
  }

  @Test
  void etcdctlV2() throws Exception {
    Etcdctl ctl = Etcdctl.v2(cluster.member(0).clientUrl());
    assertOk(ctl.run("set", "/ctl/a", "1"), "1");
    assertOk(ctl.run("get", "/ctl/a"), "1");
    assertOk(ctl.run("mk", "/ctl/b", "2"), "2");
    assertTrue(ctl.run("mk", "/ctl/b", "3").exitCode() != 0, "mk over an existing key fails");
    assertOk(ctl.run("mkdir", "/ctl/d"), "");
    assertOk(ctl.run("update", "/ctl/a", "10"), "10");
    Etcdctl.Result ls = ctl.run("ls", "--recursive", "/ctl");
    assertOk(ls, "/ctl/a");
    assertTrue(ls.stdout().contains("/ctl/d"), ls.toString());
    assertOk(ctl.run("rmdir", "/ctl/d"), "");
    assertOk(ctl.run("rm", "/ctl/b"), "");
    assertTrue(ctl.run("get", "/ctl/b").exitCode() != 0, "removed");
    assertOk(ctl.run("member", "list"), "clientURLs=" + cluster.member(0).clientUrl());
    assertOk(ctl.run("cluster-health"), "cluster is healthy");

    // watch --recursive on member 1 returns with the first change, made through member 2
    Etcdctl watcher = Etcdctl.v2(cluster.member(1).clientUrl());
    CompletableFuture<Etcdctl.Result> watch = CompletableFuture.supplyAsync(
        () -> watcher.run("watch", "--recursive", "/ctl"));
    awaitParked(1);
    Etcdctl.v2(cluster.member(2).clientUrl()).run("set", "/ctl/w", "watched");
    Etcdctl.Result watched = watch.get(30, TimeUnit.SECONDS);
    assertOk(watched, "watched");

    // exec-watch runs its command for each change
    Path out = Files.createTempFile("exec-watch", ".txt");
    ProcessBuilder execBuilder = new ProcessBuilder(ItEnvironment.ETCDCTL_BINARY, "--endpoints=" + cluster.member(0).clientUrl(),
        "--no-sync", "exec-watch", "--recursive", "/ctl", "--", "sh", "-c", "echo \"$ETCD_WATCH_ACTION $ETCD_WATCH_KEY\" >> " + out)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    execBuilder.environment().put("ETCDCTL_API", "2");
    Process exec = execBuilder.start();
    try {
      awaitParked(0);
      ctl.run("set", "/ctl/e", "x");
      long deadline = System.currentTimeMillis() + 20_000;
      while (!Files.readString(out).contains("set /ctl/e") && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.readString(out).contains("set /ctl/e"), Files.readString(out));
    } finally {
      exec.destroy();
      exec.waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(out);
    }
  }

  /** Waits until a member has a v2 watcher parked (so a write cannot race ahead of the watch). */
  private static void awaitParked(int member) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      JsonNode stats = http(member).send("GET", "/v2/stats/store", null).json();
      if (stats.path("watchers").asLong() > 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no watcher parked on member " + member);
  }

  private static void assertOk(Etcdctl.Result r, String expected) {
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains(expected), "expected " + expected + " in " + r);
  }

  @Test
  void pythonEtcd() throws Exception {
    ItEnvironment.requireExecutable(PYTHON, "python3");
    Path script = Files.createTempFile("python_etcd_client", ".py");
    try (InputStream in = V2ClusterIT.class.getResourceAsStream("/v2/python_etcd_client.py")) {
      Files.write(script, in.readAllBytes());
    }
    URI a = URI.create(cluster.member(0).clientUrl());
    URI b = URI.create(cluster.member(1).clientUrl());
    Process p = new ProcessBuilder(PYTHON, script.toString(), a.getHost(), Integer.toString(a.getPort()),
        Integer.toString(b.getPort())).redirectErrorStream(true).start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    boolean finished = p.waitFor(60, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
    }
    String printed = output.get(10, TimeUnit.SECONDS);
    Files.deleteIfExists(script);
    assertTrue(finished, "python-etcd script hung: " + printed);
    assertEquals(0, p.exitValue(), printed);
    assertTrue(printed.contains("done"), printed);
  }

  @Test
  void ttlExpiresOnceClusterWide() throws Exception {
    List<HttpResponse<Stream<String>>> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      streams.add(http(i).lines("/v2/keys/exp?wait=true&recursive=true&stream=true"));
    }
    for (int i = 0; i < 3; i++) {
      awaitParked(i);
    }
    HttpResult set = http(1).send("PUT", "/v2/keys/exp/k", "value=v&ttl=2");
    assertEquals(201, set.status(), set.toString());
    for (int i = 0; i < 3; i++) {
      List<String> events = take(streams.get(i), 2, 20);
      assertEquals("set", Json.parse(events.get(0)).path("action").asText(), events.toString());
      JsonNode expire = Json.parse(events.get(1));
      assertEquals("expire", expire.path("action").asText(), events.toString());
      assertEquals("/exp/k", expire.path("node").path("key").asText());
      assertEquals("v", expire.path("prevNode").path("value").asText());
    }
    // exactly once: the expiry is one revision; history from the set shows set, expire and nothing else
    long setIndex = Long.parseLong(set.header("X-Etcd-Index"));
    HttpResult after = http(2).send("GET", "/v2/keys/exp?wait=true&recursive=true&waitIndex=" + (setIndex + 1), null);
    JsonNode expired = after.json();
    assertEquals("expire", expired.path("action").asText(), after.toString());
    long expireIndex = expired.path("node").path("modifiedIndex").asLong();
    HttpResult none = http(0).sendAsync("/v2/keys/exp?wait=true&recursive=true&waitIndex=" + (expireIndex + 1))
        .completeOnTimeout(null, 3, TimeUnit.SECONDS).get();
    assertEquals(null, none, "no second expiry or other event after the first");
    assertEquals(404, http(0).send("GET", "/v2/keys/exp/k", null).status());
    streams.forEach(s -> s.body().close());
  }

  private static List<String> take(HttpResponse<Stream<String>> response, int n, int seconds) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      List<String> out = new ArrayList<>();
      Iterator<String> it = response.body().iterator();
      while (out.size() < n && it.hasNext()) {
        String line = it.next();
        if (!line.isBlank()) {
          out.add(line);
        }
      }
      return out;
    }).get(seconds, TimeUnit.SECONDS);
  }
}
