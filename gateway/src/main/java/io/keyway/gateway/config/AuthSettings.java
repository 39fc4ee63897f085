package io.keyway.gateway.config;

/**
 * etcd's auth flags: {@code --auth-token} (token provider spec), {@code --auth-token-ttl} (simple tokens'
 * lifetime in seconds) and {@code --bcrypt-cost}.
 */
public record AuthSettings(String tokenSpec, long tokenTtlSeconds, int bcryptCost) {
  static AuthSettings of(String tokenSpec, long tokenTtlSeconds, long bcryptCost) {
    String kind = tokenSpec.split(",", 2)[0];
    if (!kind.equals("simple") && !kind.equals("jwt")) {
      throw new ConfigException("error setting up initial cluster: auth: invalid auth options");
    }
    return new AuthSettings(tokenSpec, tokenTtlSeconds, (int) Math.min(Integer.MAX_VALUE, bcryptCost));
  }
}
