package io.keyway.gateway.config;

/** A command line etcd would reject while parsing it (exit code 2); the message is Go's flag-package text. */
public final class FlagException extends RuntimeException {
  public FlagException(String message) {
    super(message, null, false, false);
  }
}
