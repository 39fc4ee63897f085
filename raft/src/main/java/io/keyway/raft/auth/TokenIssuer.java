package io.keyway.raft.auth;

import io.keyway.api.EtcdException;

/**
 * Mints and checks auth tokens (etcd's TokenProvider): simple tokens or JWTs, chosen by {@code --auth-token}.
 * {@link #issue} runs on the apply thread of every member.
 */
public interface TokenIssuer {
  /**
   * @param prefix the random part the proposer chose (simple tokens)
   * @param index  the log index of the Authenticate entry
   */
  String issue(String user, String prefix, long index, long authRevision);

  /**
   * The identity a token stands for, or null when it is unknown, expired or forged.
   *
   * @param currentRevision the auth store's revision now (simple tokens carry none)
   */
  Identity verify(String token, long currentRevision) throws EtcdException;

  /**
   * Runs the signing and checking code once, off the request path, so the first login after a start does not pay
   * for a cold JVM's crypto (a first RSA signature takes hundreds of milliseconds on a loaded host, and it runs on
   * the apply thread). Returns whether a token could be issued and verified here.
   */
  default boolean warmUp() {
    return false;
  }

  /** A verified token's user and the auth revision it carries. */
  record Identity(String user, long revision) {}
}
