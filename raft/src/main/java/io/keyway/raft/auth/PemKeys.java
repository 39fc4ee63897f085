package io.keyway.raft.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM key files etcd's {@code --auth-token jwt} options name, in the forms Go's parsers accept:
 * {@code PUBLIC KEY} (PKIX), {@code CERTIFICATE}, {@code PRIVATE KEY} (PKCS#8), {@code RSA PRIVATE KEY} (PKCS#1)
 * and {@code EC PRIVATE KEY} (SEC 1). The last two are rewrapped as PKCS#8, which is what the JDK reads.
 */
final class PemKeys {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");
  private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
      (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private PemKeys() {}

  private record Block(String type, byte[] der) {}

  private static Block block(byte[] pem) {
    Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new IllegalArgumentException("no PEM block found");
    }
    return new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2)));
  }

  /** @param algorithm the JDK key algorithm: RSA, EC or Ed25519 */
  static PrivateKey privateKey(byte[] pem, String algorithm) throws GeneralSecurityException {
    Block b = block(pem);
    byte[] pkcs8 = switch (b.type()) {
      case "PRIVATE KEY" -> b.der();
      case "RSA PRIVATE KEY" -> sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, tlv(0x04, b.der())));
      case "EC PRIVATE KEY" -> sequence(concat(new byte[] {0x02, 0x01, 0x00},
          sequence(concat(EC_PUBLIC_KEY_OID, curveOid(b.der()))), tlv(0x04, b.der())));
      default -> throw new IllegalArgumentException("unsupported private key PEM block " + b.type());
    };
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  static PublicKey publicKey(byte[] pem, String algorithm) throws GeneralSecurityException {
    Block b = block(pem);
    return switch (b.type()) {
      case "PUBLIC KEY" -> KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(b.der()));
      case "CERTIFICATE" -> CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(b.der())).getPublicKey();
      case "RSA PUBLIC KEY" -> KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(
          sequence(concat(RSA_ALGORITHM, tlv(0x03, concat(new byte[] {0}, b.der()))))));
      default -> throw new IllegalArgumentException("unsupported public key PEM block " + b.type());
    };
  }

  /** The named-curve OID (as a DER TLV) inside a SEC 1 ECPrivateKey's {@code [0] parameters}. */
  private static byte[] curveOid(byte[] sec1) {
    int[] pos = {0};
    int end = enter(sec1, pos, 0x30);
    while (pos[0] < end) {
      int tag = sec1[pos[0]] & 0xff;
      int start = pos[0];
      pos[0]++;
      int len = length(sec1, pos);
      if (tag == 0xa0) {
        byte[] oid = new byte[len];
        System.arraycopy(sec1, pos[0], oid, 0, len);
        return oid;
      }
      pos[0] += len;
      if (pos[0] <= start) {
        break;
      }
    }
    throw new IllegalArgumentException("EC private key without named curve parameters");
  }

  private static int enter(byte[] der, int[] pos, int tag) {
    if ((der[pos[0]] & 0xff) != tag) {
      throw new IllegalArgumentException("malformed DER");
    }
    pos[0]++;
    int len = length(der, pos);
    return pos[0] + len;
  }

  private static int length(byte[] der, int[] pos) {
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = first & 0x7f;
    int len = 0;
    for (int i = 0; i < n; i++) {
      len = (len << 8) | (der[pos[0]++] & 0xff);
    }
    return len;
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len & 0xff);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write((len >> 8) & 0xff);
      out.write(len & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
