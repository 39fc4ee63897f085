package io.keyway.store;

/**
 * The storage engine failed (I/O error, corruption) or the store is closed. Unlike an
 * {@link io.keyway.api.EtcdException} this is not an answer to a request: after a write fails this way the
 * store refuses further writes, and the member must stop and recover from its Raft log.
 */
public class StoreFailedException extends RuntimeException {
  public StoreFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreFailedException(String message) {
    super(message);
  }
}
