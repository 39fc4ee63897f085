package io.keyway.gateway.http;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's {@code --auto-tls}: a self-signed certificate for the listen hosts in {@code <dir>/cert.pem} and
 * {@code <dir>/key.pem}, made once and reused on later starts (etcd keeps them in
 * {@code <data-dir>/fixtures/client}). Like etcd's: ECDSA P-521, organisation "etcd", a CA certificate for
 * server authentication, IP or DNS names from the listen URLs, valid for the given number of years.
 */
public final class SelfSignedCertificate {
  private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);

  /** Where the certificate and key are. */
  public record CertificateFiles(Path cert, Path key) {}

  private SelfSignedCertificate() {}

  /** Returns the existing pair in {@code dir}, or generates one for the hosts of {@code urls}. */
  public static CertificateFiles ensure(Path dir, List<URI> urls, int validityYears) throws IOException {
    return ensure(dir, urls, validityYears, false);
  }

  /**
   * For the Raft peer port ({@code --peer-auto-tls}): ECDSA P-256, valid for server and client authentication,
   * a curve every peer's TLS stack negotiates (BoringSSL, for one, refuses P-521 signatures), and a peer presents
   * it in both directions.
   */
  public static CertificateFiles ensurePeer(Path dir, List<URI> urls, int validityYears) throws IOException {
    return ensure(dir, urls, validityYears, true);
  }

  private static CertificateFiles ensure(Path dir, List<URI> urls, int validityYears, boolean peer)
      throws IOException {
    Path cert = dir.resolve("cert.pem").toAbsolutePath();
    Path key = dir.resolve("key.pem").toAbsolutePath();
    if (Files.exists(cert) && Files.exists(key)) {
      return new CertificateFiles(cert, key);
    }
    Files.createDirectories(dir);
    Instant notBefore = Instant.now();
    Instant notAfter = notBefore.plus(Duration.ofDays(365L * validityYears));
    LOG.warn("automatically generate certificates (certificate-validity-bound-not-after {})", notAfter);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(peer ? "secp256r1" : "secp521r1"), new SecureRandom());
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500Name("O=etcd");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(128, new SecureRandom()), Date.from(notBefore), Date.from(notAfter), subject,
          pair.getPublic());
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.digitalSignature | KeyUsage.cRLSign));
      builder.addExtension(Extension.extendedKeyUsage, false, peer
          ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
          : new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      List<GeneralName> names = subjectAltNames(urls);
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder(peer ? "SHA256withECDSA" : "SHA512withECDSA")
              .build(pair.getPrivate()));
      writePem(cert, holder, false);
      LOG.info("created cert file {}", cert);
      writePem(key, sec1(pair), true);
      LOG.info("created key file {}", key);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
    return new CertificateFiles(cert, key);
  }

  /**
   * The key as Go's {@code x509.MarshalECPrivateKey} writes it (SEC 1 with the curve's OID and the public key),
   * which etcd and Vert.x both read; the JDK's PKCS#8 form carries neither inside the SEC 1 structure.
   */
  private static PemObject sec1(KeyPair pair) throws IOException {
    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
    ASN1Encodable curve = spki.getAlgorithm().getParameters();
    java.security.interfaces.ECPrivateKey priv = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
    int orderBits = priv.getParams().getOrder().bitLength();
    ECPrivateKey sec1 = new ECPrivateKey(orderBits, priv.getS(), spki.getPublicKeyData(), curve);
    return new PemObject("EC PRIVATE KEY", sec1.getEncoded());
  }

  private static List<GeneralName> subjectAltNames(List<URI> urls) {
    List<GeneralName> names = new ArrayList<>();
    for (URI url : urls) {
      String host = url.getHost();
      if (host == null) {
        continue;
      }
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      names.add(isIpLiteral(host) ? new GeneralName(GeneralName.iPAddress, host)
          : new GeneralName(GeneralName.dNSName, host));
    }
    return names;
  }

  private static boolean isIpLiteral(String host) {
    if (host.contains(":")) {
      return true;
    }
    if (!host.matches("[0-9.]+")) {
      return false;
    }
    try {
      InetAddress.getByName(host); // a literal never does a lookup
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void writePem(Path file, Object value, boolean secret) throws IOException {
    if (secret) {
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
    }
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(value);
    }
  }
}
