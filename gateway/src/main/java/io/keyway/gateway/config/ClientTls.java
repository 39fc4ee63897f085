package io.keyway.gateway.config;

import static io.keyway.gateway.config.TlsFlagValues.bool;
import static io.keyway.gateway.config.TlsFlagValues.list;
import static io.keyway.gateway.config.TlsFlagValues.path;
import static io.keyway.gateway.config.TlsFlagValues.requireKeyPairForHttps;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TLS of the client listeners ({@code https://} entries of {@code --listen-client-urls}), from etcd's
 * {@code --cert-file}, {@code --key-file}, {@code --trusted-ca-file}, {@code --client-cert-auth},
 * {@code --client-crl-file}, {@code --auto-tls}, {@code --self-signed-cert-validity}, {@code --cipher-suites},
 * {@code --tls-min-version} and {@code --tls-max-version}.
 *
 * @param certFile PEM certificate (chain) of the server; null when none was given
 * @param keyFile PEM private key of {@code certFile}; null when none was given
 * @param trustedCaFile PEM CA bundle client certificates must chain to; null when none was given
 * @param cipherSuites IANA names (Go's names, JSSE's too) of the TLS 1.2 suites to allow; empty: the JDK's
 * @param minVersion JSSE protocol name, etcd's default TLS 1.2
 * @param maxVersion JSSE protocol name; null lets the JDK choose its highest (as Go does for "")
 */
public record ClientTls(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth, Path crlFile,
    boolean autoTls, int selfSignedCertValidityYears, List<String> cipherSuites, String minVersion,
    String maxVersion) {

  public static final String TLS12 = "TLSv1.2";
  public static final String TLS13 = "TLSv1.3";

  /** Whether certificates were given (etcd's {@code TLSInfo.Empty()} is false). */
  public boolean hasCertificate() {
    return certFile != null && keyFile != null;
  }

  /**
   * etcd's server asks for and verifies a client certificate when a trusted CA is given or
   * {@code --client-cert-auth} is set ({@code tls.RequireAndVerifyClientCert}); otherwise it asks for none.
   */
  public boolean requiresClientCertificate() {
    return trustedCaFile != null || clientCertAuth;
  }

  /**
   * The settings {@code --auto-tls} leaves: the generated certificate, the cipher suites and versions, and no
   * client authentication. etcd replaces its whole client TLS info with the self-signed one, so a trusted CA
   * and {@code --client-cert-auth} given alongside are dropped (etcd 3.4 logs {@code client-cert-auth = false}).
   */
  public ClientTls selfSigned(Path cert, Path key) {
    return new ClientTls(cert, key, null, false, null, autoTls, selfSignedCertValidityYears, cipherSuites,
        minVersion, maxVersion);
  }

  /**
   * Validates the flags as etcd's {@code Config.Validate} and listener setup do.
   *
   * @throws ConfigException with etcd's message when etcd would refuse to start
   */
  static ClientTls resolve(Map<String, String> values, List<URI> listenClientUrls) {
    String min = values.getOrDefault("tls-min-version", EtcdFlag.find("tls-min-version").defaultValue());
    String max = values.getOrDefault("tls-max-version", EtcdFlag.find("tls-max-version").defaultValue());
    String minVersion = protocol(min);
    String maxVersion = protocol(max);
    if (maxVersion != null && minVersion != null && minVersion.compareTo(maxVersion) > 0) {
      throw new ConfigException("min version (" + min + ") is greater than max version (" + max + ")");
    }
    List<String> suites = new ArrayList<>();
    for (String s : list(values, "cipher-suites")) {
      suites.add(cipherSuite(s));
    }
    if (TLS13.equals(minVersion) && !suites.isEmpty()) {
      throw new ConfigException("cipher suites cannot be configured when only TLS1.3 is enabled");
    }
    long validity;
    try {
      validity = FlagKind.parseUnsigned("self-signed-cert-validity",
          values.getOrDefault("self-signed-cert-validity", "1"));
    } catch (FlagException e) {
      throw new ConfigException(e.getMessage());
    }
    ClientTls tls = new ClientTls(path(values, "cert-file"), path(values, "key-file"),
        path(values, "trusted-ca-file"), bool(values, "client-cert-auth"), path(values, "client-crl-file"),
        bool(values, "auto-tls"), (int) Math.min(Integer.MAX_VALUE, validity), suites,
        minVersion == null ? TLS12 : minVersion, maxVersion);
    if (tls.autoTls() && tls.selfSignedCertValidityYears() <= 0) {
      throw new ConfigException("selfSignedCertValidity is invalid,it should be greater than 0");
    }
    requireKeyPairForHttps(listenClientUrls, tls.hasCertificate() || tls.autoTls(), "", "client");
    return tls;
  }

  /** etcd's TLS version names to JSSE's; "" is Go's default (null here). */
  private static String protocol(String etcdName) {
    return switch (etcdName) {
      case "" -> null;
      case "TLS1.2" -> TLS12;
      case "TLS1.3" -> TLS13;
      default -> throw new ConfigException("unexpected TLS version \"" + etcdName
          + "\" (must be one of: TLS1.2, TLS1.3)");
    };
  }

  /**
   * Go names suites as IANA does, and so does JSSE; Go also accepts two legacy ChaCha20 names without the
   * hash. A name the JDK does not implement is refused, as Go refuses names it does not know.
   */
  private static String cipherSuite(String name) {
    String iana = switch (name) {
      case "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305" -> "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
      case "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305" -> "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
      default -> name;
    };
    if (!TlsCipherSuites.supported().contains(iana)) {
      throw new ConfigException("unexpected TLS cipher suite \"" + name + "\"");
    }
    return iana;
  }
}
