package io.keyway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.keyway.gateway.config.Cli;
import io.keyway.gateway.config.ServerConfig;
import io.keyway.gateway.testing.TestPki;
import io.keyway.raft.transport.PeerTls;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer certificate files become the key material the peer transport serves and dials with. */
class PeerTlsSetupTest {
  @TempDir
  Path dir;

  private ServerConfig config(String... tlsFlags) {
    String[] base = {"--data-dir", dir.resolve("data").toString(), "--listen-peer-urls", "https://127.0.0.1:2380",
        "--initial-advertise-peer-urls", "https://127.0.0.1:2380"};
    String[] args = new String[base.length + tlsFlags.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(tlsFlags, 0, args, base.length, tlsFlags.length);
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return assertInstanceOf(Cli.Outcome.Run.class, Cli.parse(args, Map.of(), sink, sink)).config();
  }

  private static X509KeyManager keyManager(PeerTls tls) {
    return (X509KeyManager) tls.keyManager();
  }

  private static X509Certificate served(X509KeyManager keys) {
    return keys.getCertificateChain(keys.chooseServerAlias("RSA", null, null))[0];
  }

  private static X509Certificate presentedWhenDialling(X509KeyManager keys) {
    return keys.getCertificateChain(keys.chooseClientAlias(new String[] {"RSA"}, null, null))[0];
  }

  @Test
  void peerCertificateServesAndDialsWhenNoClientCertificateIsGiven() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    X509KeyManager keys = keyManager(PeerTlsSetup.resolve(config("--peer-cert-file", pki.serverCert.toString(),
        "--peer-key-file", pki.serverKey.toString())));
    X509Certificate server = PeerTlsSetup.certificates(pki.serverCert).get(0);
    assertEquals(server, served(keys));
    assertEquals(server, presentedWhenDialling(keys));
  }

  @Test
  void peerClientCertificateIsPresentedWhenDialling() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    X509KeyManager keys = keyManager(PeerTlsSetup.resolve(config("--peer-cert-file", pki.serverCert.toString(),
        "--peer-key-file", pki.serverKey.toString(), "--peer-client-cert-file", pki.clientCert.toString(),
        "--peer-client-key-file", pki.clientKey.toString())));
    X509Certificate server = PeerTlsSetup.certificates(pki.serverCert).get(0);
    X509Certificate client = PeerTlsSetup.certificates(pki.clientCert).get(0);
    assertNotEquals(server, client);
    assertEquals(server, served(keys));
    assertEquals(client, presentedWhenDialling(keys));
    assertEquals(PeerTlsSetup.privateKey(pki.clientKey),
        keys.getPrivateKey(keys.chooseClientAlias(new String[] {"RSA"}, null, null)));
  }
}
