package io.keyway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** etcd's client TLS flags: defaults, validation messages and the https-needs-a-certificate rule. */
class ClientTlsFlagsTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Cli.Outcome parse(String... args) {
    return Cli.parse(args, Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private ClientTls tls(String... args) {
    return assertInstanceOf(Cli.Outcome.Run.class, parse(args), () -> "stderr: " + err).config().clientTls();
  }

  private String refused(String... args) {
    Cli.Outcome.Exit exit = assertInstanceOf(Cli.Outcome.Exit.class, parse(args));
    assertEquals(Cli.EXIT_INVALID_CONFIG, exit.code());
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void defaultsAreEtcds() {
    ClientTls tls = tls();
    assertFalse(tls.hasCertificate());
    assertFalse(tls.requiresClientCertificate());
    assertFalse(tls.autoTls());
    assertEquals(ClientTls.TLS12, tls.minVersion());
    assertNull(tls.maxVersion());
    assertEquals(List.of(), tls.cipherSuites());
    assertEquals(1, tls.selfSignedCertValidityYears());
  }

  @Test
  void certificatesAndClientAuth() {
    ClientTls tls = tls("--cert-file", "s.pem", "--key-file", "s.key", "--trusted-ca-file", "ca.pem",
        "--client-cert-auth", "--tls-min-version", "TLS1.3", "--tls-max-version", "TLS1.3");
    assertEquals(Path.of("s.pem"), tls.certFile());
    assertEquals(Path.of("s.key"), tls.keyFile());
    assertEquals(Path.of("ca.pem"), tls.trustedCaFile());
    assertTrue(tls.clientCertAuth());
    assertTrue(tls.requiresClientCertificate());
    assertEquals(ClientTls.TLS13, tls.minVersion());
    assertEquals(ClientTls.TLS13, tls.maxVersion());
    // etcd asks for client certificates as soon as a trusted CA is given
    assertTrue(tls("--trusted-ca-file", "ca.pem").requiresClientCertificate());
  }

  @Test
  void cipherSuitesByGoName() {
    assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        tls("--cipher-suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305")
            .cipherSuites());
    assertTrue(refused("--cipher-suites", "TLS_BOGUS").contains("unexpected TLS cipher suite \"TLS_BOGUS\""));
  }

  @Test
  void etcdsValidationMessages() {
    assertTrue(refused("--tls-min-version", "TLS1.1")
        .contains("unexpected TLS version \"TLS1.1\" (must be one of: TLS1.2, TLS1.3)"));
    assertTrue(refused("--tls-min-version", "TLS1.3", "--tls-max-version", "TLS1.2")
        .contains("min version (TLS1.3) is greater than max version (TLS1.2)"));
    assertTrue(refused("--tls-min-version", "TLS1.3", "--cipher-suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        .contains("cipher suites cannot be configured when only TLS1.3 is enabled"));
  }

  @Test
  void autoTlsCertificateDropsClientAuthAsEtcdDoes() {
    ClientTls given = tls("--auto-tls", "--client-cert-auth", "--trusted-ca-file", "ca.pem", "--tls-max-version",
        "TLS1.2");
    ClientTls generated = given.selfSigned(Path.of("cert.pem"), Path.of("key.pem"));
    assertTrue(generated.hasCertificate());
    assertFalse(generated.requiresClientCertificate());
    assertEquals(ClientTls.TLS12, generated.maxVersion());
  }

  @Test
  void httpsListenUrlNeedsACertificateOrAutoTls() {
    String https = "https://127.0.0.1:2379";
    assertTrue(refused("--listen-client-urls", https, "--advertise-client-urls", https)
        .contains("TLS key/cert (--cert-file, --key-file) must be provided for client url " + https
            + " with HTTPS scheme"));
    assertTrue(tls("--listen-client-urls", https, "--advertise-client-urls", https, "--auto-tls").autoTls());
    assertTrue(tls("--listen-client-urls", https, "--advertise-client-urls", https, "--cert-file", "c",
        "--key-file", "k").hasCertificate());
  }
}
