package io.keyway.gateway.config;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** The cipher suites this JDK implements, and the TLS 1.3 ones that Go never lets a config restrict. */
public final class TlsCipherSuites {
  /**
   * Go's {@code tls.Config.CipherSuites} applies to TLS 1.2 and below only; JSSE would drop TLS 1.3 altogether
   * if none of its suites stayed enabled, so these are always added to a configured list.
   */
  public static final List<String> TLS13 =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  private TlsCipherSuites() {}

  static Set<String> supported() {
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
  }
}
