package io.keyway.store.auth;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * bcrypt, in the form etcd stores it: the {@code $2a$} hash string (Go's bcrypt format). Requests carry it as
 * {@code hashedPassword} = base64 of that string, as etcd 3.5 proposes it. Hashing is slow by design: callers
 * run it before proposing, never on the apply thread.
 */
public final class Passwords {
  /** Go's bcrypt.DefaultCost, etcd's --bcrypt-cost default. */
  public static final int DEFAULT_COST = 10;
  public static final int MIN_COST = 4;
  public static final int MAX_COST = 31;
  /** bcrypt reads at most 72 bytes; Go's bcrypt refuses longer passwords rather than truncating them. */
  private static final int MAX_PASSWORD_BYTES = 72;

  private Passwords() {}

  /** etcd falls back to the default when --bcrypt-cost is out of bcrypt's range. */
  public static int validCost(int cost) {
    return cost < MIN_COST || cost > MAX_COST ? DEFAULT_COST : cost;
  }

  /** The base64 {@code hashedPassword} a UserAdd / UserChangePassword proposal carries. */
  public static String hashForProposal(String password, int cost) throws EtcdException {
    byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_PASSWORD_BYTES) {
      throw new EtcdException(io.keyway.api.GrpcCode.UNKNOWN,
          "bcrypt: password length exceeds 72 bytes");
    }
    String hash = BCrypt.hashpw(bytes, BCrypt.gensalt(validCost(cost)));
    return Base64.getEncoder().encodeToString(hash.getBytes(StandardCharsets.US_ASCII));
  }

  /** The stored hash of a proposal's base64 {@code hashedPassword}; null when it is not valid base64. */
  public static byte[] decodeProposed(String hashedPassword) {
    try {
      return Base64.getDecoder().decode(hashedPassword);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Whether {@code password} matches a stored hash; false for anything that is no bcrypt hash. */
  public static boolean matches(String password, byte[] storedHash) {
    if (storedHash == null || storedHash.length == 0) {
      return false;
    }
    byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_PASSWORD_BYTES) {
      return false;
    }
    try {
      return BCrypt.checkpw(bytes, new String(storedHash, StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static EtcdException authFailed() {
    return EtcdError.AUTH_FAILED.exception();
  }
}
