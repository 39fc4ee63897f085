package io.keyway.raft.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keyway.api.EtcdException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JwtTokensTest {
  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);

  private Path pem(String name, String type, byte[] der) throws Exception {
    Path file = dir.resolve(name);
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    return file;
  }

  private Map<String, String> keys(String method) throws Exception {
    if (method.startsWith("HS")) {
      Path secret = dir.resolve("secret");
      Files.writeString(secret, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
      return Map.of("sign-method", method, "priv-key", secret.toString());
    }
    KeyPairGenerator gen;
    if (method.startsWith("ES")) {
      gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec(switch (method) {
        case "ES256" -> "secp256r1";
        case "ES384" -> "secp384r1";
        default -> "secp521r1";
      }));
    } else if (method.equals("EdDSA")) {
      gen = KeyPairGenerator.getInstance("Ed25519");
    } else {
      gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
    }
    KeyPair pair = gen.generateKeyPair();
    return Map.of("sign-method", method,
        "priv-key", pem("priv.pem", "PRIVATE KEY", pair.getPrivate().getEncoded()).toString(),
        "pub-key", pem("pub.pem", "PUBLIC KEY", pair.getPublic().getEncoded()).toString());
  }

  @ParameterizedTest
  @CsvSource({"RS256", "RS512", "PS256", "PS384", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS512"})
  void issuedTokensVerifyAndCarryUserAndRevision(String method) throws Exception {
    JwtTokens tokens = JwtTokens.fromOptions(keys(method), now::get);
    String token = tokens.issue("alice", "ignored", 42, 7);
    TokenIssuer.Identity id = tokens.verify(token, 99);
    assertEquals(new TokenIssuer.Identity("alice", 7), id, "the revision is the token's, not the store's");

    String[] parts = token.split("\\.");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"username\":\"root\",\"revision\":7,\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertNull(tokens.verify(forged, 99));
    assertNull(tokens.verify("junk", 99));
    assertNull(tokens.verify(parts[0] + "." + parts[1] + ".", 99));

    now.addAndGet(5 * 60_000L + 1); // the default ttl is 5 minutes
    assertNull(tokens.verify(token, 99));
  }

  @Test
  void anotherAlgorithmOrKeyIsRejected() throws Exception {
    JwtTokens hs = JwtTokens.fromOptions(keys("HS256"), now::get);
    JwtTokens hs512 = JwtTokens.fromOptions(keys("HS512"), now::get);
    assertNull(hs512.verify(hs.issue("u", "", 1, 1), 1));
    JwtTokens rsa = JwtTokens.fromOptions(keys("RS256"), now::get);
    JwtTokens otherRsa = JwtTokens.fromOptions(keys("RS256"), now::get);
    assertNull(otherRsa.verify(rsa.issue("u", "", 1, 1), 1));
  }

  @Test
  void publicKeyOnlyVerifiesButCannotIssue() throws Exception {
    Map<String, String> both = keys("RS256");
    JwtTokens signing = JwtTokens.fromOptions(both, now::get);
    JwtTokens verifyOnly = JwtTokens.fromOptions(
        Map.of("sign-method", "RS256", "pub-key", both.get("pub-key")), now::get);
    assertNotNull(verifyOnly.verify(signing.issue("u", "", 1, 3), 3));
    EtcdException e = assertThrows(EtcdException.class, () -> verifyOnly.issue("u", "", 1, 3));
    assertEquals("auth: token signing attempted with verify-only key", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"RS256", "ES256", "EdDSA", "HS256"})
  void warmUpSignsAndVerifiesOnceWhenTheMemberCanIssue(String method) throws Exception {
    Map<String, String> both = keys(method);
    assertEquals(true, JwtTokens.fromOptions(both, now::get).warmUp());
    if (both.containsKey("pub-key")) {
      JwtTokens verifyOnly = JwtTokens.fromOptions(
          Map.of("sign-method", method, "pub-key", both.get("pub-key")), now::get);
      assertEquals(false, verifyOnly.warmUp(), "a verify-only member has nothing to sign with");
    }
    assertEquals(false, AuthTokens.create("simple", 300).warmUp());
  }

  @Test
  void ttlAndBadOptions() throws Exception {
    Map<String, String> opts = new java.util.HashMap<>(keys("HS256"));
    opts.put("ttl", "1m30s");
    JwtTokens tokens = JwtTokens.fromOptions(opts, now::get);
    String token = tokens.issue("u", "", 1, 1);
    now.addAndGet(89_000);
    assertNotNull(tokens.verify(token, 1));
    now.addAndGet(2_000);
    assertNull(tokens.verify(token, 1));
    assertThrows(IllegalArgumentException.class,
        () -> JwtTokens.fromOptions(Map.of("sign-method", "XX256"), now::get));
    assertThrows(IllegalArgumentException.class,
        () -> JwtTokens.fromOptions(Map.of("sign-method", "RS256"), now::get));
    assertThrows(IllegalArgumentException.class, () -> AuthTokens.create("jwt,sign-method", 300));
    assertThrows(IllegalArgumentException.class, () -> AuthTokens.create("other", 300));
  }

  @Test
  void opensslKeyFormatsAreRead() throws Exception {
    Path rsa = dir.resolve("rsa.pem");
    Path rsaPub = dir.resolve("rsa.pub");
    Path ec = dir.resolve("ec.pem");
    Path ecPub = dir.resolve("ec.pub");
    run("openssl", "genrsa", "-traditional", "-out", rsa.toString(), "2048");
    run("openssl", "rsa", "-in", rsa.toString(), "-pubout", "-out", rsaPub.toString());
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ec.toString());
    run("openssl", "ec", "-in", ec.toString(), "-pubout", "-out", ecPub.toString());
    assertEquals(true, Files.readString(rsa).contains("BEGIN RSA PRIVATE KEY"));
    assertEquals(true, Files.readString(ec).contains("BEGIN EC PRIVATE KEY"));
    JwtTokens r = JwtTokens.fromOptions(
        Map.of("sign-method", "RS256", "priv-key", rsa.toString(), "pub-key", rsaPub.toString()), now::get);
    assertEquals("a", r.verify(r.issue("a", "", 1, 1), 1).user());
    JwtTokens e = JwtTokens.fromOptions(
        Map.of("sign-method", "ES256", "priv-key", ec.toString(), "pub-key", ecPub.toString()), now::get);
    assertEquals("b", e.verify(e.issue("b", "", 1, 1), 1).user());
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }
}
