package io.keyway.store.auth;

/**
 * Who sends a request, as the auth store knows them: the user name and the auth revision the caller's
 * credentials were checked at (etcd's {@code AuthInfo}). Carried in the Raft header of proposals so the apply
 * re-checks permissions against the store it applies on.
 */
public record AuthInfo(String username, long revision) {
  public AuthInfo {
    username = username == null ? "" : username;
  }

  public boolean isEmpty() {
    return username.isEmpty();
  }
}
