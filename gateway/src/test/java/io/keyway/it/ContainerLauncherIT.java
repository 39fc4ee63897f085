package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container image's {@code etcd} command (the {@code keyway} launcher built next to keyway.jar, which the
 * image links as {@code /usr/local/bin/etcd}) started
 * the way jetcd's test launcher starts etcd's image: {@code etcd --name … --advertise-client-urls
 * http://0.0.0.0:P --listen-client-urls http://0.0.0.0:P --data-dir …} with {@code ETCD_LOGGER=zap} and
 * {@code ETCD_LOG_LEVEL=info}; then used through jetcd. The one deviation: a free peer port instead of
 * the default 2380. No Docker engine runs in CI, so this checks the launcher and the flags, not the image.
 */
class ContainerLauncherIT {
  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Test
  void theImagesEtcdCommandServesJetcdWithJetcdsLauncherFlags() throws Exception {
    assumeFalse(ItEnvironment.targetIsEtcd(), "the launcher script starts Keyway only");
    Path script = ItEnvironment.keywayJar().resolveSibling("keyway");
    assertTrue(Files.isExecutable(script), script + " must be built by `mvn package`");
    Path bin = Files.createTempDirectory(ItEnvironment.buildDir(), "image-bin");
    Path etcd = Files.createSymbolicLink(bin.resolve("etcd"), script);
    int port = FreePorts.next();
    int peerPort = FreePorts.next();
    Path log = ItEnvironment.logDir().resolve("container-launcher-" + port + ".log");

    ProcessBuilder builder = new ProcessBuilder(etcd.toString(), "--name", "etcd0",
        "--advertise-client-urls", "http://0.0.0.0:" + port,
        "--listen-client-urls", "http://0.0.0.0:" + port,
        "--data-dir", ItEnvironment.newDataDir("container").toString(),
        "--listen-peer-urls", "http://127.0.0.1:" + peerPort)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("KEYWAY_JAVA_OPTS", "-Xmx256m");
    builder.environment().put("ETCD_LOGGER", "zap");
    builder.environment().put("ETCD_LOG_LEVEL", "info");
    Process member = builder.start();
    try {
      awaitHealthy(member, port, log);
      try (Client client = Client.builder().endpoints("http://127.0.0.1:" + port).build()) {
        client.getKVClient().put(bytes("image/k"), bytes("v")).get(30, TimeUnit.SECONDS);
        assertEquals("v", client.getKVClient().get(bytes("image/k")).get(30, TimeUnit.SECONDS)
            .getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
        List<Member> members = client.getClusterClient().listMember().get(30, TimeUnit.SECONDS).getMembers();
        assertEquals(1, members.size());
        assertEquals("etcd0", members.get(0).getName());
        assertEquals(List.of(URI.create("http://0.0.0.0:" + port)), members.get(0).getClientURIs());
      }
      String firstLine = Files.readAllLines(log).get(0);
      assertTrue(firstLine.startsWith("{\"level\":\"info\""), "ETCD_LOGGER=zap gives JSON lines: " + firstLine);
    } finally {
      member.destroy();
      if (!member.waitFor(30, TimeUnit.SECONDS)) {
        member.destroyForcibly();
      }
    }
  }

  private static void awaitHealthy(Process member, int port, Path log) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!member.isAlive()) {
        fail("the launcher exited with " + member.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    fail("the launcher's member did not become healthy:\n" + Files.readString(log));
  }
}
