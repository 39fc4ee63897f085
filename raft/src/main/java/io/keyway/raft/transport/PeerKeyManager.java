package io.keyway.raft.transport;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * This member's key and certificate chain offered as server, and the one it presents when it dials a peer (the
 * same unless etcd's {@code --peer-client-cert-file} is given). A key store would do the same but encrypts the key
 * with PBKDF2 on every insertion, which costs seconds on a loaded machine.
 */
final class PeerKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "peer";
  private static final String CLIENT_ALIAS = "peer-client";
  private final PrivateKey key;
  private final X509Certificate[] chain;
  private final PrivateKey clientKey;
  private final X509Certificate[] clientChain;

  PeerKeyManager(PrivateKey key, List<X509Certificate> chain, PrivateKey clientKey,
      List<X509Certificate> clientChain) {
    this.key = key;
    this.chain = chain.toArray(X509Certificate[]::new);
    this.clientKey = clientKey;
    this.clientChain = clientChain.toArray(X509Certificate[]::new);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {CLIENT_ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return CLIENT_ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return CLIENT_ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    if (ALIAS.equals(alias)) {
      return chain.clone();
    }
    return CLIENT_ALIAS.equals(alias) ? clientChain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    if (ALIAS.equals(alias)) {
      return key;
    }
    return CLIENT_ALIAS.equals(alias) ? clientKey : null;
  }
}
