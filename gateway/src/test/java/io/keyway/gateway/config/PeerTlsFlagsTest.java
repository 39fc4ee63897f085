package io.keyway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd's peer TLS flags from the command line, ETCD_* variables and the config file; https peer URL rules. */
class PeerTlsFlagsTest {
  private static final String[] HTTPS_PEER = {"--listen-peer-urls", "https://127.0.0.1:2380",
      "--initial-advertise-peer-urls", "https://127.0.0.1:2380"};
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Cli.Outcome parse(Map<String, String> env, String... args) {
    return Cli.parse(args, env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private Cli.Outcome.Run run(Map<String, String> env, String... args) {
    return assertInstanceOf(Cli.Outcome.Run.class, parse(env, args), () -> "stderr: " + err);
  }

  private String refused(String... args) {
    Cli.Outcome.Exit exit = assertInstanceOf(Cli.Outcome.Exit.class, parse(Map.of(), args));
    assertEquals(Cli.EXIT_INVALID_CONFIG, exit.code());
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String[] with(String... more) {
    String[] all = new String[HTTPS_PEER.length + more.length];
    System.arraycopy(HTTPS_PEER, 0, all, 0, HTTPS_PEER.length);
    System.arraycopy(more, 0, all, HTTPS_PEER.length, more.length);
    return all;
  }

  @Test
  void plainPeersByDefault() {
    PeerTlsFlags tls = run(Map.of()).config().peerTls();
    assertFalse(tls.https());
    assertFalse(tls.hasCertificate());
    assertFalse(tls.requiresClientCertificate());
  }

  @Test
  void servedFlagsWithoutWarnings() {
    Cli.Outcome.Run r = run(Map.of(), with("--peer-cert-file", "p.pem", "--peer-key-file", "p.key",
        "--peer-trusted-ca-file", "ca.pem", "--peer-client-cert-auth", "--peer-cert-allowed-cn", "a,b",
        "--peer-cert-allowed-hostname", "h1", "--peer-crl-file", "crl.pem"));
    assertEquals(List.of(), r.warnings());
    PeerTlsFlags tls = r.config().peerTls();
    assertTrue(tls.https());
    assertEquals(Path.of("p.pem"), tls.certFile());
    assertEquals(Path.of("p.key"), tls.keyFile());
    assertEquals(Path.of("ca.pem"), tls.trustedCaFile());
    assertTrue(tls.requiresClientCertificate());
    assertEquals(List.of("a", "b"), tls.allowedCns());
    assertEquals(List.of("h1"), tls.allowedHostnames());
    assertEquals(Path.of("crl.pem"), tls.crlFile());
  }

  @Test
  void explicitClientCertificateForDialledPeers() {
    PeerTlsFlags tls = run(Map.of(), with("--peer-cert-file", "p.pem", "--peer-key-file", "p.key",
        "--peer-client-cert-file", "c.pem", "--peer-client-key-file", "c.key")).config().peerTls();
    assertTrue(tls.hasClientCertificate());
    assertEquals(Path.of("c.pem"), tls.clientCertFile());
    assertEquals(Path.of("c.key"), tls.clientKeyFile());
    assertFalse(run(Map.of(), with("--peer-auto-tls")).config().peerTls().hasClientCertificate());
  }

  @Test
  void clientCertificateAndKeyComeTogether() {
    assertTrue(refused(with("--peer-cert-file", "p.pem", "--peer-key-file", "p.key", "--peer-client-cert-file",
        "c.pem")).contains("ClientKeyFile and ClientCertFile must both be present or both absent: key: , cert: c.pem]"),
        err::toString);
  }

  @Test
  void environmentVariables() {
    PeerTlsFlags tls = run(Map.of("ETCD_LISTEN_PEER_URLS", "https://127.0.0.1:2380",
        "ETCD_INITIAL_ADVERTISE_PEER_URLS", "https://127.0.0.1:2380", "ETCD_PEER_AUTO_TLS", "true")).config().peerTls();
    assertTrue(tls.https());
    assertTrue(tls.autoTls());
  }

  @Test
  void httpsPeerUrlsNeedACertificateOrAutoTls() {
    assertTrue(refused(HTTPS_PEER).contains("TLS key/cert (--peer-cert-file, --peer-key-file) must be provided for "
        + "peer url https://127.0.0.1:2380 with HTTPS scheme"), err::toString);
  }

  @Test
  void peerUrlsMustAllUseOneScheme() {
    assertTrue(refused(with("--peer-auto-tls", "--initial-cluster",
        "default=https://127.0.0.1:2380,other=http://127.0.0.1:2480"))
        .contains("peer URL http://127.0.0.1:2480 does not use the scheme of --listen-peer-urls"), err::toString);
  }

  @Test
  void configFileNestedPeerTransportSecurity(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("etcd.yaml");
    Files.writeString(file, """
        listen-peer-urls: https://127.0.0.1:2380
        initial-advertise-peer-urls: https://127.0.0.1:2380
        peer-transport-security:
          cert-file: p.pem
          key-file: p.key
          trusted-ca-file: ca.pem
          client-cert-auth: true
          allowed-cn: member
        """);
    PeerTlsFlags tls = run(Map.of(), "--config-file", file.toString()).config().peerTls();
    assertTrue(tls.https());
    assertEquals(Path.of("p.pem"), tls.certFile());
    assertEquals(Path.of("ca.pem"), tls.trustedCaFile());
    assertTrue(tls.clientCertAuth());
    assertEquals(List.of("member"), tls.allowedCns());
  }
}
