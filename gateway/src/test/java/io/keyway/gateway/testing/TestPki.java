package io.keyway.gateway.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for TLS tests, written as PEM files: a CA, a server certificate for 127.0.0.1/localhost,
 * a client certificate (CN {@value #CLIENT_CN}) from that CA, and a client certificate from an unrelated CA.
 * Keys are ECDSA P-256 in PKCS#8, which Go, curl and the JDK all read.
 */
public final class TestPki {
  public static final String CLIENT_CN = "alice";

  public final Path caCert;
  public final Path serverCert;
  public final Path serverKey;
  public final Path clientCert;
  public final Path clientKey;
  public final Path strangerCert;
  public final Path strangerKey;
  /** A server certificate for 127.0.0.1/localhost (server and client auth) from the unrelated CA. */
  public final Path strangerServerCert;
  public final Path strangerServerKey;

  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * etcd's JSON gateway dials its own gRPC port presenting the server certificate, so with
   * {@code --client-cert-auth} etcd needs a server certificate that is valid for client auth too.
   */
  private static final KeyPurposeId[] SERVER_USAGES = {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
  private static final KeyPurposeId[] CLIENT_USAGES = {KeyPurposeId.id_kp_clientAuth};

  private TestPki(Path dir) throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    KeyPair caKeys = keys();
    X509Certificate ca = sign("CN=keyway-test-ca", caKeys, "CN=keyway-test-ca", caKeys.getPrivate(), true,
        null, null);
    caCert = write(dir.resolve("ca.pem"), ca);
    KeyPair serverKeys = keys();
    serverCert = write(dir.resolve("server.pem"), sign("CN=keyway-server", serverKeys, "CN=keyway-test-ca",
        caKeys.getPrivate(), false, SERVER_USAGES, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.dNSName, "localhost")})));
    serverKey = writeKey(dir.resolve("server-key.pem"), serverKeys.getPrivate());
    KeyPair clientKeys = keys();
    clientCert = write(dir.resolve("client.pem"), sign("CN=" + CLIENT_CN, clientKeys, "CN=keyway-test-ca",
        caKeys.getPrivate(), false, CLIENT_USAGES, null));
    clientKey = writeKey(dir.resolve("client-key.pem"), clientKeys.getPrivate());
    KeyPair otherCa = keys();
    KeyPair strangerKeys = keys();
    strangerCert = write(dir.resolve("stranger.pem"), sign("CN=mallory", strangerKeys, "CN=other-ca",
        otherCa.getPrivate(), false, CLIENT_USAGES, null));
    strangerKey = writeKey(dir.resolve("stranger-key.pem"), strangerKeys.getPrivate());
    KeyPair strangerServerKeys = keys();
    strangerServerCert = write(dir.resolve("stranger-server.pem"), sign("CN=keyway-server", strangerServerKeys,
        "CN=other-ca", otherCa.getPrivate(), false, SERVER_USAGES, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.dNSName, "localhost")})));
    strangerServerKey = writeKey(dir.resolve("stranger-server-key.pem"), strangerServerKeys.getPrivate());
  }

  public static TestPki create(Path dir) {
    try {
      return new TestPki(dir);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the test PKI in " + dir, e);
    }
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
      boolean ca, KeyPurposeId[] purposes, GeneralNames altNames) throws GeneralSecurityException {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
          new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(2))), new X500Name(subject), subjectKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.keyUsage, true, ca
          ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
          : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      if (purposes != null) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
      }
      if (altNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static Path write(Path file, X509Certificate cert) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(cert);
    }
    return file;
  }

  private static Path writeKey(Path file, PrivateKey key) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(new JcaPKCS8Generator(key, null));
    }
    return file;
  }
}
