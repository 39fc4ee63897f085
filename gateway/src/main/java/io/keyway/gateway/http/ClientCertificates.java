package io.keyway.gateway.http;

import io.vertx.core.http.HttpConnection;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The identity a client proved in the TLS handshake. A TLS listener asks for a client certificate only when
 * etcd would ({@code --client-cert-auth} or {@code --trusted-ca-file}) and then rejects any that does not chain
 * to the trusted CA, so a certificate seen here has been verified.
 *
 * <p>With auth enabled etcd takes the verified certificate's CN as the user name of gRPC calls that carry
 * no token ({@code authStore.AuthInfoFromTLS}); it ignores it for requests that came through its JSON
 * gateway, which dials gRPC with the server's own certificate. Auth should therefore use
 * {@link #commonName(HttpConnection)} for gRPC calls only.
 */
public final class ClientCertificates {
  private ClientCertificates() {}

  /**
   * @return the subject CN of the verified client certificate of {@code connection}; null on a cleartext
   *     connection, when no certificate was asked for or given, or when its subject has no CN
   */
  public static String commonName(HttpConnection connection) {
    if (connection == null || !connection.isSsl()) {
      return null;
    }
    SSLSession session = connection.sslSession();
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null; // the client sent no certificate (none was required)
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return commonName(leaf);
  }

  static String commonName(X509Certificate certificate) {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
      // RFC 2253 lists the most significant RDN last; Go's Subject.CommonName is the last CN in the DN
      String cn = null;
      for (Rdn rdn : name.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = rdn.getValue().toString();
        }
      }
      return cn;
    } catch (InvalidNameException e) {
      return null;
    }
  }
}
