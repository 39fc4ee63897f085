package io.keyway.raft.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd's JWT tokens ({@code --auth-token jwt,pub-key=...,priv-key=...,sign-method=...,ttl=...}): signed claims
 * {@code username}, {@code revision} (the auth revision at login) and {@code exp}. Nothing is kept per token, so
 * every member verifies every token; a token names the auth revision it was issued at, so any later auth change
 * makes its requests fail with {@code revision of auth store is old} (etcd's behaviour). RS*, PS*, ES*, HS* and
 * EdDSA (Ed25519) are supported; with only a public key the member verifies but cannot issue tokens.
 */
public final class JwtTokens implements TokenIssuer {
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private final JWSAlgorithm algorithm;
  private final JWSSigner signer;
  private final JWSVerifier verifier;
  private final Duration ttl;
  private final LongSupplier wallClockMillis;

  private JwtTokens(JWSAlgorithm algorithm, JWSSigner signer, JWSVerifier verifier, Duration ttl,
      LongSupplier wallClockMillis) {
    this.algorithm = algorithm;
    this.signer = signer;
    this.verifier = verifier;
    this.ttl = ttl;
    this.wallClockMillis = wallClockMillis;
  }

  /**
   * @param options etcd's comma-separated options after {@code jwt}
   * @throws IllegalArgumentException with etcd's error when the options or keys are unusable
   */
  public static JwtTokens fromOptions(Map<String, String> options, LongSupplier wallClockMillis) {
    String method = options.getOrDefault("sign-method", "");
    JWSAlgorithm alg = JWSAlgorithm.parse(method);
    Duration ttl = options.containsKey("ttl") && !options.get("ttl").isEmpty()
        ? goDuration(options.get("ttl")) : DEFAULT_TTL;
    byte[] priv = read(options.get("priv-key"));
    byte[] pub = read(options.get("pub-key"));
    try {
      if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
        if (priv == null) {
          throw new IllegalArgumentException("auth: missing key data");
        }
        return new JwtTokens(alg, new MACSigner(priv), new MACVerifier(priv), ttl, wallClockMillis);
      }
      if (JWSAlgorithm.Family.RSA.contains(alg)) {
        PrivateKey key = priv == null ? null : PemKeys.privateKey(priv, "RSA");
        PublicKey publicKey = pub != null ? PemKeys.publicKey(pub, "RSA") : rsaPublic(key);
        return new JwtTokens(alg, key == null ? null : new RSASSASigner(key),
            new RSASSAVerifier((RSAPublicKey) publicKey), ttl, wallClockMillis);
      }
      if (JWSAlgorithm.Family.EC.contains(alg)) {
        ECPrivateKey key = priv == null ? null : (ECPrivateKey) PemKeys.privateKey(priv, "EC");
        if (pub == null && key == null) {
          throw new IllegalArgumentException("auth: missing key data");
        }
        ECPublicKey publicKey = pub != null ? (ECPublicKey) PemKeys.publicKey(pub, "EC") : null;
        if (publicKey == null) {
          throw new IllegalArgumentException("auth: ES* needs pub-key next to priv-key");
        }
        return new JwtTokens(alg, key == null ? null : new ECDSASigner(key), new ECDSAVerifier(publicKey), ttl,
            wallClockMillis);
      }
      if (JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg)) {
        PrivateKey key = priv == null ? null : PemKeys.privateKey(priv, "Ed25519");
        if (pub == null) {
          throw new IllegalArgumentException("auth: EdDSA needs pub-key");
        }
        PublicKey publicKey = PemKeys.publicKey(pub, "Ed25519");
        Ed25519 ed = new Ed25519(alg, key, publicKey);
        return new JwtTokens(alg, key == null ? null : ed, ed, ttl, wallClockMillis);
      }
    } catch (GeneralSecurityException | JOSEException | ClassCastException e) {
      throw new IllegalArgumentException("auth: cannot use the JWT keys: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("auth: invalid auth signature method");
  }

  private static PublicKey rsaPublic(PrivateKey key) throws GeneralSecurityException {
    if (key == null) {
      throw new IllegalArgumentException("auth: missing key data");
    }
    if (!(key instanceof RSAPrivateCrtKey crt)) {
      throw new IllegalArgumentException("auth: RS*/PS* needs pub-key next to priv-key");
    }
    return java.security.KeyFactory.getInstance("RSA")
        .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
  }

  private static byte[] read(String file) {
    if (file == null || file.isEmpty()) {
      return null;
    }
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("auth: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

  /** Go's time.ParseDuration for the forms an operator writes ({@code 5m}, {@code 1h30m}, {@code 90s}). */
  static Duration goDuration(String text) {
    Matcher m = DURATION_PART.matcher(text);
    double nanos = 0;
    int at = 0;
    while (m.find() && m.start() == at) {
      double v = Double.parseDouble(m.group(1));
      nanos += v * switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      at = m.end();
    }
    if (at == 0 || at != text.length()) {
      throw new IllegalArgumentException("time: invalid duration \"" + text + "\"");
    }
    return Duration.ofNanos((long) nanos);
  }

  @Override
  public String issue(String user, String prefix, long index, long authRevision) {
    if (signer == null) {
      throw new EtcdException(GrpcCode.UNKNOWN, "auth: token signing attempted with verify-only key");
    }
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .claim("username", user)
        .claim("revision", authRevision)
        .expirationTime(new Date(wallClockMillis.getAsLong() + ttl.toMillis()))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new EtcdException(GrpcCode.UNKNOWN, "auth: failed to sign a JWT token: " + e.getMessage());
    }
    return jwt.serialize();
  }

  @Override
  public boolean warmUp() {
    if (signer == null) {
      return false;
    }
    try {
      Identity id = verify(issue("keyway-warm-up", "", 0, 0), 0);
      return id != null && id.user().equals("keyway-warm-up");
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public Identity verify(String token, long currentRevision) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!algorithm.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return null;
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      if (exp != null && exp.getTime() <= wallClockMillis.getAsLong()) {
        return null;
      }
      if (!(claims.getClaim("username") instanceof String user) || !(claims.getClaim("revision") instanceof Number rev)) {
        return null;
      }
      return new Identity(user, rev.longValue());
    } catch (ParseException | JOSEException | IllegalStateException e) {
      return null;
    }
  }

  /** EdDSA over Ed25519 with the JDK's provider (nimbus' own needs Tink, which this build does not ship). */
  private static final class Ed25519 implements JWSSigner, JWSVerifier {
    private final JWSAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final JCAContext jca = new JCAContext();

    Ed25519(JWSAlgorithm algorithm, PrivateKey privateKey, PublicKey publicKey) {
      this.algorithm = algorithm;
      this.privateKey = privateKey;
      this.publicKey = publicKey;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(privateKey);
        s.update(signingInput);
        return Base64URL.encode(s.sign());
      } catch (GeneralSecurityException e) {
        throw new JOSEException(e.getMessage(), e);
      }
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(publicKey);
        s.update(signingInput);
        return s.verify(signature.decode());
      } catch (GeneralSecurityException e) {
        return false;
      }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(algorithm);
    }

    @Override
    public JCAContext getJCAContext() {
      return jca;
    }
  }
}
