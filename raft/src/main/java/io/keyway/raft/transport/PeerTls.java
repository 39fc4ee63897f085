package io.keyway.raft.transport;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS of the Raft peer port (etcd's {@code --peer-*} flags), as plain key material: every member serves its
 * Raft port with {@code certChain}, and dials the others (appends, votes, forwarded writes, joins) with the same
 * settings ({@link PeerTlsChannels} puts them on the SOFAJRaft/Bolt connections).
 *
 * @param key private key of the first certificate of {@code certChain}
 * @param certChain this member's certificate (then its intermediates), presented to peers in both directions
 * @param trustedCas CAs a peer's certificate must chain to; empty: the JDK's default trust store
 * @param mutual peers must present a certificate that verifies ({@code --peer-client-cert-auth}, or a trusted
 *     CA given, as etcd requires client certificates then)
 * @param skipVerify accept any certificate a peer presents, without hostname check ({@code --peer-auto-tls}:
 *     every member's certificate is self-signed, as etcd's peer auto-TLS does)
 * @param allowedCns when not empty, a peer's certificate's CN must be one of these
 * @param allowedHostnames when not empty, a peer's certificate must be valid for one of these host names
 * @param crls revocation lists: a peer certificate revoked by one of them is refused
 * @param clientKey private key of {@code clientCertChain}
 * @param clientCertChain presented when this member dials a peer ({@code --peer-client-cert-file}); the server's
 *     certificate when none is given
 */
public record PeerTls(PrivateKey key, List<X509Certificate> certChain, List<X509Certificate> trustedCas,
    boolean mutual, boolean skipVerify, List<String> allowedCns, List<String> allowedHostnames,
    List<X509CRL> crls, PrivateKey clientKey, List<X509Certificate> clientCertChain) {

  public PeerTls {
    if (key == null || certChain == null || certChain.isEmpty()) {
      throw new IllegalArgumentException("peer TLS needs a private key and a certificate");
    }
    if ((clientKey == null) != (clientCertChain == null || clientCertChain.isEmpty())) {
      throw new IllegalArgumentException("a peer client certificate needs its private key");
    }
    if (clientKey == null) {
      clientKey = key;
      clientCertChain = certChain;
    }
    certChain = List.copyOf(certChain);
    clientCertChain = List.copyOf(clientCertChain);
    trustedCas = List.copyOf(trustedCas);
    allowedCns = List.copyOf(allowedCns);
    allowedHostnames = List.copyOf(allowedHostnames);
    crls = List.copyOf(crls);
  }

  /** Presents this member's certificate as a server and its client certificate when dialling. */
  public KeyManager keyManager() {
    return new PeerKeyManager(key, certChain, clientKey, clientCertChain);
  }

  /** Verifies peers as the --peer-* flags ask. */
  public TrustManager trustManager() throws GeneralSecurityException {
    if (skipVerify) {
      return PeerTrust.acceptingAny(allowedCns, allowedHostnames, crls);
    }
    KeyStore store = null;
    if (!trustedCas.isEmpty()) {
      store = emptyStore();
      for (int i = 0; i < trustedCas.size(); i++) {
        store.setCertificateEntry("ca-" + i, trustedCas.get(i));
      }
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager verifying) {
        return PeerTrust.verifying(verifying, allowedCns, allowedHostnames, crls);
      }
    }
    throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    return store;
  }

  @Override
  public String toString() {
    return "PeerTls{cert=" + certChain.get(0).getSubjectX500Principal() + ", clientCert="
        + clientCertChain.get(0).getSubjectX500Principal() + ", trustedCas=" + trustedCas.size()
        + ", mutual=" + mutual + ", skipVerify=" + skipVerify + ", allowedCns=" + allowedCns
        + ", allowedHostnames=" + allowedHostnames + ", crls=" + crls.size() + "}";
  }
}
