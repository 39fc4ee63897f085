package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyway.gateway.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client port on TLS ({@code https://} listen URL with etcd's TLS flags): etcdctl (gRPC over h2), curl
 * (JSON over h2 and HTTP/1.1) and a wss:// watch on the one port; client certificates required and verified
 * with {@code --client-cert-auth}; {@code --auto-tls}. Runs against etcd too ({@code -Dkeyway.it.target=etcd}).
 */
class ClientTlsIT {
  @TempDir
  static Path certs;
  private static TestPki pki;
  private static ServerProcess server;
  private static Etcdctl etcdctl;

  @BeforeAll
  static void start() {
    pki = TestPki.create(certs);
    server = ServerUnderTest.startTls("tls",
        "--cert-file=" + pki.serverCert, "--key-file=" + pki.serverKey,
        "--trusted-ca-file=" + pki.caCert, "--client-cert-auth");
    etcdctl = new Etcdctl(server.clientUrl(), List.of("--cacert=" + pki.caCert, "--cert=" + pki.clientCert,
        "--key=" + pki.clientKey));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void etcdctlWithClientCertificatePutsGetsAndWatches() {
    Etcdctl.Result put = etcdctl.run("put", "tls-key", "v1");
    assertEquals(0, put.exitCode(), put.toString());
    Etcdctl.Result get = etcdctl.run("get", "tls-key");
    assertEquals("tls-key\nv1\n", get.stdout(), get.toString());

    try (EtcdctlWatch watch = EtcdctlWatch.start(server.clientUrl(), "--cacert=" + pki.caCert,
        "--cert=" + pki.clientCert, "--key=" + pki.clientKey, "--prefix", "tls-w")) {
      watch.sync(etcdctl, "tls-w-sync");
      assertEquals(0, etcdctl.run("put", "tls-w-a", "event").exitCode());
      assertEquals(List.of("PUT", "tls-w-a", "event"), watch.nextLines(3));
    }
  }

  /** etcd's AuthInfoFromTLS: a gRPC call without a token acts as the user named by its certificate's CN. */
  @Test
  void verifiedCertificateCommonNameIsTheUserOfGrpcCallsWithoutToken() {
    try (ServerProcess secured = ServerUnderTest.startTls("tls-cn",
        "--cert-file=" + pki.serverCert, "--key-file=" + pki.serverKey,
        "--trusted-ca-file=" + pki.caCert, "--client-cert-auth")) {
      Etcdctl alice = new Etcdctl(secured.clientUrl(), List.of("--cacert=" + pki.caCert, "--cert=" + pki.clientCert,
          "--key=" + pki.clientKey));
      alice.runAll(new String[][] {
          {"user", "add", "root:rootpw"}, {"user", "grant-role", "root", "root"},
          {"user", "add", TestPki.CLIENT_CN + ":alicepw"}, {"role", "add", "cn-role"},
          {"role", "grant-permission", "cn-role", "readwrite", "--prefix", "cn/"},
          {"user", "grant-role", TestPki.CLIENT_CN, "cn-role"}, {"auth", "enable"}});
      Etcdctl.Result put = alice.run("put", "cn/k", "v");
      assertEquals(0, put.exitCode(), put.toString());
      assertEquals("cn/k\nv\n", alice.run("get", "cn/k").stdout());
      // the Watch stream takes the same identity: alice may watch her prefix
      try (EtcdctlWatch watch = EtcdctlWatch.start(secured.clientUrl(), "--cacert=" + pki.caCert,
          "--cert=" + pki.clientCert, "--key=" + pki.clientKey, "--prefix", "cn/w")) {
        watch.sync(alice, "cn/w-sync");
        assertEquals(0, alice.run("put", "cn/w-a", "event").exitCode());
        assertEquals(List.of("PUT", "cn/w-a", "event"), watch.nextLines(3));
      }
      Etcdctl.Result denied = alice.run("put", "elsewhere", "v");
      assertNotEquals(0, denied.exitCode(), denied.toString());
      assertTrue(denied.stderr().contains("permission denied"), denied.toString());
      Etcdctl.Result rootOnly = alice.run("user", "list");
      assertNotEquals(0, rootOnly.exitCode(), rootOnly.toString());
      Etcdctl.Result asRoot = alice.run("--user=root:rootpw", "auth", "disable");
      assertEquals(0, asRoot.exitCode(), asRoot.toString());
    }
  }

  @Test
  void memberListShowsTheHttpsClientUrlAsAdvertised() {
    Etcdctl.Result members = etcdctl.run("member", "list");
    assertEquals(0, members.exitCode(), members.toString());
    assertTrue(members.stdout().contains(", " + server.clientUrl() + ","), members.toString());
  }

  @Test
  void etcdctlWithoutClientCertificateIsRejected() {
    Etcdctl.Result noCert = new Etcdctl(server.clientUrl(), List.of("--cacert=" + pki.caCert,
        "--command-timeout=3s")).run("get", "tls-key");
    assertNotEquals(0, noCert.exitCode(), noCert.toString());
    Etcdctl.Result stranger = new Etcdctl(server.clientUrl(), List.of("--cacert=" + pki.caCert,
        "--cert=" + pki.strangerCert, "--key=" + pki.strangerKey, "--command-timeout=3s")).run("get", "tls-key");
    assertNotEquals(0, stranger.exitCode(), stranger.toString());
  }

  @Test
  void jsonGatewayOverHttp2AndHttp11WithCurl() throws Exception {
    assertEquals(0, etcdctl.run("put", "tls-json", "j").exitCode());
    for (String version : List.of("--http2", "--http1.1")) {
      Curl answer = curl(version, "--cacert", pki.caCert.toString(), "--cert", pki.clientCert.toString(),
          "--key", pki.clientKey.toString(), "-d", "{\"key\":\"" + Json.b64("tls-json") + "\"}",
          server.clientUrl() + "/v3/kv/range");
      assertEquals(0, answer.exitCode, answer.toString());
      JsonNode body = Json.parse(answer.stdout);
      assertEquals(Json.b64("j"), body.at("/kvs/0/value").asText(), answer.toString());
    }
    Curl noCert = curl("--cacert", pki.caCert.toString(), server.clientUrl() + "/health");
    assertNotEquals(0, noCert.exitCode, noCert.toString());
  }

  @Test
  void webSocketWatchOverWss() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setSsl(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(pki.caCert.toString()))
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pki.clientCert.toString())
              .setKeyPath(pki.clientKey.toString())));
      int port = Integer.parseInt(server.clientUrl().substring(server.clientUrl().lastIndexOf(':') + 1));
      BlockingQueue<String> messages = new LinkedBlockingQueue<>();
      WebSocket ws = client.connect(new WebSocketConnectOptions().setSsl(true).setHost("127.0.0.1").setPort(port)
          .setURI("/v3/watch")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      ws.textMessageHandler(messages::add);
      ws.writeTextMessage("{\"create_request\":{\"key\":\"" + Json.b64("tls-ws") + "\"}}");
      JsonNode created = Json.parse(messages.poll(10, TimeUnit.SECONDS));
      assertTrue(created.at("/result/created").asBoolean(), created.toString());
      assertEquals(0, etcdctl.run("put", "tls-ws", "over-wss").exitCode());
      JsonNode event = Json.parse(messages.poll(10, TimeUnit.SECONDS));
      assertEquals(Json.b64("over-wss"), event.at("/result/events/0/kv/value").asText(), event.toString());
      ws.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void autoTlsServesASelfSignedCertificateFromTheDataDir() throws Exception {
    try (ServerProcess auto = ServerUnderTest.startTls("autotls", "--auto-tls")) {
      // etcdctl 3.4 turns TLS on for an https endpoint only with --insecure-transport=false when no CA is given
      Etcdctl insecure = new Etcdctl(auto.clientUrl(), List.of("--insecure-transport=false",
          "--insecure-skip-tls-verify"));
      Etcdctl.Result put = insecure.run("put", "auto", "tls");
      assertEquals(0, put.exitCode(), put.toString());
      assertEquals("auto\ntls\n", insecure.run("get", "auto").stdout());
      Path fixtures = auto.dataDir().resolve("fixtures").resolve("client");
      assertTrue(Files.isRegularFile(fixtures.resolve("cert.pem")), "no cert.pem in " + fixtures);
      assertTrue(Files.isRegularFile(fixtures.resolve("key.pem")), "no key.pem in " + fixtures);
      // the certificate is self-signed: a client that verifies it against no CA refuses it
      Curl verified = curl(auto.clientUrl() + "/health");
      assertNotEquals(0, verified.exitCode, verified.toString());
      Curl skipped = curl("-k", auto.clientUrl() + "/health");
      assertEquals(0, skipped.exitCode, skipped.toString());
      assertTrue(skipped.stdout.contains("\"health\":\"true\""), skipped.toString());
    }
  }

  private record Curl(int exitCode, String stdout, String stderr) {}

  private static Curl curl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    String err;
    String out;
    try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
      out = read(o);
      err = read(e);
    }
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl did not finish");
    return new Curl(p.exitValue(), out, err);
  }

  private static String read(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    in.transferTo(bytes);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
