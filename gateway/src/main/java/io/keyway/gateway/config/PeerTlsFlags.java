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
 * TLS of the Raft peer port ({@code https://} peer URLs), from etcd's {@code --peer-cert-file},
 * {@code --peer-key-file}, {@code --peer-trusted-ca-file}, {@code --peer-client-cert-auth},
 * {@code --peer-auto-tls}, {@code --peer-cert-allowed-cn}, {@code --peer-cert-allowed-hostname} and
 * {@code --peer-crl-file}.
 *
 * @param certFile PEM certificate (chain) this member presents to its peers, as server and as client
 * @param keyFile PEM private key of {@code certFile}
 * @param trustedCaFile PEM CA bundle a peer's certificate must chain to; null: the JDK's trust store
 * @param clientCertFile PEM certificate presented when this member dials a peer; null: {@code certFile}
 * @param clientKeyFile PEM private key of {@code clientCertFile}
 * @param https whether the peer URLs are {@code https://}: TLS on the Raft port and to every peer
 */
public record PeerTlsFlags(Path certFile, Path keyFile, Path trustedCaFile, Path clientCertFile, Path clientKeyFile,
    boolean clientCertAuth,
    boolean autoTls, List<String> allowedCns, List<String> allowedHostnames, Path crlFile, boolean https) {

  /** Whether a separate certificate is given for the connections this member dials. */
  public boolean hasClientCertificate() {
    return clientCertFile != null && clientKeyFile != null;
  }

  private static String text(Path file) {
    return file == null ? "" : file.toString();
  }

  /** Whether certificates were given (etcd's {@code TLSInfo.Empty()} is false). */
  public boolean hasCertificate() {
    return certFile != null && keyFile != null;
  }

  /** etcd's peer server requires a verified client certificate when a trusted CA is given or client auth is on. */
  public boolean requiresClientCertificate() {
    return trustedCaFile != null || clientCertAuth;
  }

  /**
   * Validates as etcd does at start, plus one rule of the peer transport: it has one TLS setting for all its
   * connections, so the listen, advertised and --initial-cluster peer URLs must all be http or all https.
   *
   * @throws ConfigException with etcd's message when etcd would refuse to start
   */
  static PeerTlsFlags resolve(Map<String, String> values, List<URI> listenPeerUrls, List<URI> advertisePeerUrls,
      String initialCluster) {
    PeerTlsFlags flags = new PeerTlsFlags(path(values, "peer-cert-file"), path(values, "peer-key-file"),
        path(values, "peer-trusted-ca-file"), path(values, "peer-client-cert-file"),
        path(values, "peer-client-key-file"), bool(values, "peer-client-cert-auth"), bool(values, "peer-auto-tls"),
        list(values, "peer-cert-allowed-cn"), list(values, "peer-cert-allowed-hostname"),
        path(values, "peer-crl-file"), !listenPeerUrls.isEmpty() && "https".equals(listenPeerUrls.get(0).getScheme()));
    requireKeyPairForHttps(listenPeerUrls, flags.hasCertificate() || flags.autoTls(), "peer-", "peer");
    if (flags.https() && (flags.clientCertFile() == null) != (flags.clientKeyFile() == null)) {
      throw new ConfigException("ClientKeyFile and ClientCertFile must both be present or both absent: key: "
          + text(flags.clientKeyFile()) + ", cert: " + text(flags.clientCertFile()) + "]"); // etcd's bracket
    }
    List<String> urls = new ArrayList<>();
    listenPeerUrls.forEach(u -> urls.add(u.toString()));
    advertisePeerUrls.forEach(u -> urls.add(u.toString()));
    if (initialCluster != null) {
      for (String entry : initialCluster.split(",")) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          urls.add(entry.substring(eq + 1).trim());
        }
      }
    }
    String scheme = flags.https() ? "https://" : "http://";
    for (String url : urls) {
      if (!url.startsWith(scheme)) {
        throw new ConfigException("peer URL " + url + " does not use the scheme of --listen-peer-urls ("
            + scheme + "): keyway's Raft transport is TLS to all peers or to none");
      }
    }
    return flags;
  }
}
