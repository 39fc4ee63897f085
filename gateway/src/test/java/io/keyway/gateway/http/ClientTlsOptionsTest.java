package io.keyway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keyway.gateway.config.ClientTls;
import io.keyway.gateway.testing.Await;
import io.keyway.gateway.testing.FreePorts;
import io.keyway.gateway.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS client listener as {@link ClientTlsOptions} configures it, and the CN {@link ClientCertificates} reads. */
class ClientTlsOptionsTest {
  @TempDir
  static Path dir;
  private static TestPki pki;
  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create(dir);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    Await.result(vertx.close(), 10, TimeUnit.SECONDS);
  }

  private static ClientTls tls(boolean clientCertAuth, Path ca, String min, String max) {
    return new ClientTls(pki.serverCert, pki.serverKey, ca, clientCertAuth, null, false, 1, List.of(), min, max);
  }

  /** Serves the client certificate's CN, the HTTP version and the TLS protocol of each request. */
  private static int listen(ClientTls tls) {
    int port = FreePorts.next();
    HttpServerOptions options = ClientVerticle.options(URI.create("https://127.0.0.1:" + port));
    ClientTlsOptions.apply(options, tls);
    Await.result(vertx.createHttpServer(options).requestHandler(req -> req.response().end(
        ClientCertificates.commonName(req.connection()) + " " + req.version() + " "
            + req.connection().sslSession().getProtocol())).listen(), 10, TimeUnit.SECONDS);
    return port;
  }

  private static String get(int port, boolean clientCert, HttpVersion version, Set<String> protocols) {
    HttpClientOptions options = new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(version)
        .setTrustOptions(new PemTrustOptions().addCertPath(pki.caCert.toString()))
        .setEnabledSecureTransportProtocols(protocols);
    if (clientCert) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(pki.clientCert.toString())
          .setKeyPath(pki.clientKey.toString()));
    }
    HttpClient client = vertx.createHttpClient(options);
    try {
      return Await.result(client.request(HttpMethod.GET, port, "127.0.0.1", "/")
          .compose(req -> req.send()).compose(resp -> resp.body()).map(Object::toString), 10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  private static final Set<String> ANY = Set.of("TLSv1.2", "TLSv1.3");

  @Test
  void verifiedClientCertificateGivesItsCommonNameOverHttp2AndHttp11() {
    int port = listen(tls(true, pki.caCert, ClientTls.TLS12, null));
    assertEquals(TestPki.CLIENT_CN + " HTTP_2 TLSv1.3", get(port, true, HttpVersion.HTTP_2, ANY));
    assertEquals(TestPki.CLIENT_CN + " HTTP_1_1 TLSv1.3", get(port, true, HttpVersion.HTTP_1_1, ANY));
  }

  @Test
  void clientWithoutCertificateFailsTheHandshakeWhenATrustedCaIsSet() {
    // etcd: --trusted-ca-file alone already requires and verifies client certificates
    int port = listen(tls(false, pki.caCert, ClientTls.TLS12, null));
    assertThrows(AssertionError.class, () -> get(port, false, HttpVersion.HTTP_2, ANY));
    assertEquals(TestPki.CLIENT_CN + " HTTP_2 TLSv1.3", get(port, true, HttpVersion.HTTP_2, ANY));
  }

  @Test
  void withoutClientAuthNoCertificateIsAskedForAndThereIsNoCommonName() {
    int port = listen(tls(false, null, ClientTls.TLS12, null));
    assertEquals("null HTTP_2 TLSv1.3", get(port, true, HttpVersion.HTTP_2, ANY));
  }

  @Test
  void protocolVersionBounds() {
    int onlyTls12 = listen(tls(false, null, ClientTls.TLS12, ClientTls.TLS12));
    assertEquals("null HTTP_1_1 TLSv1.2", get(onlyTls12, false, HttpVersion.HTTP_1_1, ANY));
    int onlyTls13 = listen(tls(false, null, ClientTls.TLS13, null));
    assertThrows(AssertionError.class, () -> get(onlyTls13, false, HttpVersion.HTTP_1_1, Set.of("TLSv1.2")));
  }
}
