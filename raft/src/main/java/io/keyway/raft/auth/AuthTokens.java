package io.keyway.raft.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the token provider etcd's {@code --auth-token} names: {@code simple} or {@code jwt,<options>}. */
public final class AuthTokens {
  private AuthTokens() {}

  /** @throws IllegalArgumentException with etcd's error for an unusable spec (the member does not start) */
  public static TokenIssuer create(String spec, long simpleTtlSeconds) {
    String[] parts = spec.split(",");
    switch (parts[0]) {
      case "simple" -> {
        return new SimpleTokens(simpleTtlSeconds * 1000, io.keyway.store.lease.Lessor::monotonicMillis);
      }
      case "jwt" -> {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
          int eq = parts[i].indexOf('=');
          if (eq < 0) {
            throw new IllegalArgumentException("auth: invalid auth options");
          }
          options.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return JwtTokens.fromOptions(options, System::currentTimeMillis);
      }
      default -> throw new IllegalArgumentException("auth: invalid auth options");
    }
  }
}
