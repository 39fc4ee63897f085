package io.keyway.raft.transport;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies the certificate a peer presents on the Raft port, in both directions (as etcd's peer TLS config
 * checks allowed CNs and host names for dialled and accepted connections): the chain (unless auto-TLS skips
 * it), then etcd's {@code --peer-cert-allowed-cn}, {@code --peer-cert-allowed-hostname} and
 * {@code --peer-crl-file}.
 */
final class PeerTrust extends X509ExtendedTrustManager {
  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  /** null: accept any chain (auto-TLS) */
  private final X509ExtendedTrustManager chains;
  private final List<String> allowedCns;
  private final List<String> allowedHostnames;
  private final List<X509CRL> crls;

  private PeerTrust(X509ExtendedTrustManager chains, List<String> allowedCns, List<String> allowedHostnames,
      List<X509CRL> crls) {
    this.chains = chains;
    this.allowedCns = allowedCns;
    this.allowedHostnames = allowedHostnames;
    this.crls = crls;
  }

  static PeerTrust verifying(X509ExtendedTrustManager chains, List<String> allowedCns,
      List<String> allowedHostnames, List<X509CRL> crls) {
    return new PeerTrust(chains, allowedCns, allowedHostnames, crls);
  }

  static PeerTrust acceptingAny(List<String> allowedCns, List<String> allowedHostnames, List<X509CRL> crls) {
    return new PeerTrust(null, allowedCns, allowedHostnames, crls);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain, () -> chains.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    // with the engine the delegate also checks the host name dialled
    verify(chain, () -> chains.checkServerTrusted(chain, authType, engine));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, () -> chains.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain, () -> chains.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain, () -> chains.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verify(chain, () -> chains.checkServerTrusted(chain, authType));
  }

  /** One of the delegate's chain checks, which auto-TLS skips. */
  private interface ChainCheck {
    void run() throws CertificateException;
  }

  private void verify(X509Certificate[] chain, ChainCheck chainCheck) throws CertificateException {
    if (chains != null) {
      chainCheck.run();
    }
    checkPeer(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chains != null ? chains.getAcceptedIssuers() : new X509Certificate[0];
  }

  void checkPeer(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the peer presented no certificate");
    }
    for (X509CRL crl : crls) {
      for (X509Certificate cert : chain) {
        if (crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal()) && crl.isRevoked(cert)) {
          throw new CertificateException("the peer's certificate " + cert.getSubjectX500Principal()
              + " (serial " + cert.getSerialNumber().toString(16) + ") is revoked");
        }
      }
    }
    X509Certificate leaf = chain[0];
    if (!allowedCns.isEmpty()) {
      String cn = commonName(leaf);
      if (cn == null || !allowedCns.contains(cn)) {
        // etcd's message
        throw new CertificateException("CommonName authentication failed");
      }
    }
    if (!allowedHostnames.isEmpty() && allowedHostnames.stream().noneMatch(h -> validFor(leaf, h))) {
      throw new CertificateException("HostName authentication failed");
    }
  }

  static String commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }

  /** Go's {@code Certificate.VerifyHostname}: the subject alternative names (DNS, with wildcards, or IP). */
  static boolean validFor(X509Certificate cert, String hostname) {
    Collection<List<?>> names;
    try {
      names = cert.getSubjectAlternativeNames();
    } catch (java.security.cert.CertificateParsingException e) {
      return false;
    }
    if (names == null) {
      return false;
    }
    String host = hostname.startsWith("[") && hostname.endsWith("]")
        ? hostname.substring(1, hostname.length() - 1) : hostname;
    InetAddress ip = ipLiteral(host);
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      String value = String.valueOf(name.get(1));
      if (ip != null && type == IP_ADDRESS && ip.equals(ipLiteral(value))) {
        return true;
      }
      if (ip == null && type == DNS_NAME && dnsMatches(value, host)) {
        return true;
      }
    }
    return false;
  }

  private static boolean dnsMatches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (p.startsWith("*.")) {
      int dot = h.indexOf('.');
      return dot > 0 && h.substring(dot).equals(p.substring(1));
    }
    return p.equals(h);
  }

  private static InetAddress ipLiteral(String host) {
    if (!host.contains(":") && !host.matches("[0-9.]+")) {
      return null;
    }
    try {
      return InetAddress.getByName(host); // a literal never does a lookup
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
