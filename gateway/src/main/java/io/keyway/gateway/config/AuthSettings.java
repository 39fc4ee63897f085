package io.keyway.gateway.config;

/**
 * etcd's auth flags: {@code --auth-token} (token provider spec), {@code --auth-token-ttl} (simple tokens'
 * lifetime in seconds) and {@code --bcrypt-cost}.
 */
public record AuthSettings(String tokenSpec, long tokenTtlSeconds, int bcryptCost) {
  static AuthSettings of(String tokenSpec, long tokenTtlSeconds, long bcryptCost) {
    try {
      io.keyway.raft.auth.AuthTokens.create(tokenSpec, tokenTtlSeconds); // etcd refuses to start on bad options
    } catch (IllegalArgumentException e) {
      throw new ConfigException("failed to create token provider: " + e.getMessage());
    }
    return new AuthSettings(tokenSpec, tokenTtlSeconds, (int) Math.min(Integer.MAX_VALUE, bcryptCost));
  }
}
