package io.keyway.store.bolt;

import java.io.IOException;

/** The file is not a bbolt database, or a damaged or truncated one. */
public final class BoltFormatException extends IOException {
  public BoltFormatException(String message) {
    super(message);
  }
}
