package io.keyway.gateway.config;

/** A configuration that parses but cannot be served (etcd's "failed to verify flags", exit code 1). */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
