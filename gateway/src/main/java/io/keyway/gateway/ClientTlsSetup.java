package io.keyway.gateway;

import io.keyway.gateway.config.ClientTls;
import io.keyway.gateway.config.ServerConfig;
import io.keyway.gateway.http.SelfSignedCertificate;
import java.io.IOException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client listeners' TLS as etcd sets it up at start: auto-TLS certificates and the scheme warnings. */
final class ClientTlsSetup {
  private static final Logger LOG = LoggerFactory.getLogger(ClientTlsSetup.class);

  private ClientTlsSetup() {}

  static ClientTls resolve(ServerConfig config) throws IOException {
    ClientTls tls = config.clientTls();
    if (tls.autoTls()) {
      if (tls.hasCertificate()) {
        LOG.warn("ignoring client auto TLS since certs given");
      } else {
        SelfSignedCertificate.CertificateFiles files = SelfSignedCertificate.ensure(
            config.dataDir().resolve("fixtures").resolve("client"), config.listenClientUrls(),
            tls.selfSignedCertValidityYears());
        tls = tls.selfSigned(files.cert(), files.key());
      }
    }
    for (URI url : config.listenClientUrls()) {
      if (!"http".equals(url.getScheme())) {
        continue;
      }
      if (tls.hasCertificate()) {
        LOG.warn("scheme is http or unix while key and cert files are present; ignoring key and cert files "
            + "(client-url {})", url);
      }
      if (tls.clientCertAuth()) {
        LOG.warn("scheme is http or unix while --client-cert-auth is enabled; ignoring client cert auth for this "
            + "URL (client-url {})", url);
      }
    }
    return tls;
  }
}
