package io.keyway.bench;

/** A failure that invalidates a run: a crash, a request error, a lost watch event. */
final class BenchException extends Exception {
  BenchException(String message) {
    super(message);
  }

  BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
