package io.keyway.gateway.http;

import io.keyway.gateway.config.ClientTls;
import io.keyway.gateway.config.TlsCipherSuites;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns an {@code https://} client listener into etcd's TLS port: gRPC (HTTP/2), the JSON gateway and
 * WebSockets all behind one handshake, ALPN offering h2 and http/1.1. A client certificate is required and
 * verified against the trusted CA when etcd would require one; a client without it fails the handshake.
 */
final class ClientTlsOptions {
  private static final List<String> PROTOCOLS_BY_AGE = List.of(ClientTls.TLS12, ClientTls.TLS13);

  private ClientTlsOptions() {}

  static void apply(HttpServerOptions options, ClientTls tls) {
    options.setSsl(true)
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(tls.certFile().toString())
            .setKeyPath(tls.keyFile().toString()))
        .setEnabledSecureTransportProtocols(protocols(tls));
    if (tls.requiresClientCertificate()) {
      options.setClientAuth(ClientAuth.REQUIRED);
      if (tls.trustedCaFile() != null) {
        // without a CA file the JDK's default trust store verifies client certificates, as Go's system pool
        options.setTrustOptions(new PemTrustOptions().addCertPath(tls.trustedCaFile().toString()));
      }
      if (tls.crlFile() != null) {
        options.addCrlPath(tls.crlFile().toString());
      }
    }
    if (!tls.cipherSuites().isEmpty()) {
      Set<String> suites = new LinkedHashSet<>(tls.cipherSuites());
      suites.addAll(TlsCipherSuites.TLS13);
      suites.forEach(options::addEnabledCipherSuite);
    }
  }

  private static Set<String> protocols(ClientTls tls) {
    Set<String> enabled = new LinkedHashSet<>();
    int from = PROTOCOLS_BY_AGE.indexOf(tls.minVersion());
    int to = tls.maxVersion() == null ? PROTOCOLS_BY_AGE.size() - 1 : PROTOCOLS_BY_AGE.indexOf(tls.maxVersion());
    for (int i = from; i <= to; i++) {
      enabled.add(PROTOCOLS_BY_AGE.get(i));
    }
    return enabled;
  }
}
