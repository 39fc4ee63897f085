package io.keyway.api;

/**
 * A client-visible failure: a gRPC code plus etcd's exact message. Every layer throws or completes futures
 * with this type so the gateway can map it 1:1 to a gRPC status or an HTTP error body. No stack trace is
 * captured: these are expected outcomes, not bugs, and some are produced on hot paths.
 */
public class EtcdException extends RuntimeException {
  private final int code;
  private final EtcdError error;

  public EtcdException(EtcdError error) {
    super(error.message(), null, false, false);
    this.code = error.code();
    this.error = error;
  }

  /** For messages outside the catalogue (decoder errors, gRPC transport limits). */
  public EtcdException(int code, String message) {
    super(message, null, false, false);
    this.code = code;
    this.error = null;
  }

  public int code() { return code; }

  /** The catalogue entry, or null when the message is free-form. */
  public EtcdError error() { return error; }
}
