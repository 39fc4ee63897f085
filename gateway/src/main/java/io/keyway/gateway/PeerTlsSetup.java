package io.keyway.gateway;

import io.keyway.gateway.config.PeerTlsFlags;
import io.keyway.gateway.config.ServerConfig;
import io.keyway.gateway.http.SelfSignedCertificate;
import io.keyway.raft.transport.PeerTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft port's TLS as etcd sets it up at start: the peer certificate files read into key material for the
 * raft module, or with {@code --peer-auto-tls} a self-signed certificate in {@code <data-dir>/fixtures/peer}.
 */
final class PeerTlsSetup {
  private static final Logger LOG = LoggerFactory.getLogger(PeerTlsSetup.class);

  private PeerTlsSetup() {}

  /** null when the peer URLs are plain http (TLS flags given with them are ignored, as etcd warns). */
  static PeerTls resolve(ServerConfig config) {
    PeerTlsFlags flags = config.peerTls();
    if (!flags.https()) {
      if (flags.hasCertificate()) {
        LOG.warn("scheme is HTTP while key and cert files are present; ignoring key and cert files "
            + "(peer-url {})", config.listenPeerUrls());
      }
      if (flags.clientCertAuth()) {
        LOG.warn("scheme is HTTP while --peer-client-cert-auth is enabled; ignoring client cert auth for this URL "
            + "(peer-url {})", config.listenPeerUrls());
      }
      return null;
    }
    try {
      if (flags.autoTls() && !flags.hasCertificate()) {
        // etcd replaces its whole peer TLS info with the self-signed certificate, whose peers it does not verify
        SelfSignedCertificate.CertificateFiles files = SelfSignedCertificate.ensurePeer(
            config.dataDir().resolve("fixtures").resolve("peer"), config.listenPeerUrls(),
            config.clientTls().selfSignedCertValidityYears());
        LOG.warn("peer TLS with an automatically generated certificate: peers' certificates are not verified "
            + "(--peer-auto-tls)");
        return new PeerTls(privateKey(files.key()), certificates(files.cert()), List.of(), false, true, List.of(),
            List.of(), List.of(), null, null);
      }
      if (flags.autoTls()) {
        LOG.warn("ignoring peer auto TLS since certs given");
      }
      PeerTls tls = new PeerTls(privateKey(flags.keyFile()), certificates(flags.certFile()),
          flags.trustedCaFile() == null ? List.of() : certificates(flags.trustedCaFile()),
          flags.requiresClientCertificate(), false, flags.allowedCns(), flags.allowedHostnames(),
          flags.crlFile() == null ? List.of() : crls(flags.crlFile()),
          flags.hasClientCertificate() ? privateKey(flags.clientKeyFile()) : null,
          flags.hasClientCertificate() ? certificates(flags.clientCertFile()) : null);
      LOG.info("starting with peer TLS: {}", tls);
      return tls;
    } catch (IOException e) {
      throw new UncheckedIOException("peer TLS: " + e.getMessage(), e);
    }
  }

  static List<X509Certificate> certificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException("no certificate in " + file);
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the certificates in " + file + ": " + e.getMessage(), e);
    }
  }

  static List<X509CRL> crls(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509CRL> out = new ArrayList<>();
      for (CRL c : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
        out.add((X509CRL) c);
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the revocation list " + file + ": " + e.getMessage(), e);
    }
  }

  /** PKCS#8, SEC 1 (EC) or PKCS#1 (RSA) PEM, as Go's tls.X509KeyPair reads them. */
  static PrivateKey privateKey(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    }
    throw new IOException("no private key in " + file);
  }
}
