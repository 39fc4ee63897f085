package io.keyway.raft.auth;

import io.keyway.store.auth.AuthStore;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * etcd's simple tokens: {@code <16 random letters>.<raft index>}, minted when the Authenticate entry is applied,
 * so every member learns every token (the proposer picks the random part, the log index completes it). The
 * table lives in memory only, as in etcd: a restart invalidates tokens. Each member keeps its own expiry
 * clocks: a token lives {@code ttl} after its last use on that member.
 */
public final class SimpleTokens implements TokenIssuer, AuthStore.TokenInvalidation {
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final int PREFIX_LENGTH = 16;

  private record Entry(String user, long expiresAtMillis) {}

  private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final long ttlMillis;
  private final LongSupplier clock;

  public SimpleTokens(long ttlMillis, LongSupplier millisClock) {
    this.ttlMillis = ttlMillis;
    this.clock = millisClock;
  }

  /** The random part a proposer puts into an Authenticate entry. */
  public String newPrefix() {
    StringBuilder b = new StringBuilder(PREFIX_LENGTH);
    for (int i = 0; i < PREFIX_LENGTH; i++) {
      b.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
    }
    return b.toString();
  }

  /** Applies an Authenticate entry: the token for {@code user} is {@code prefix.index}. */
  public String assign(String user, String prefix, long index) {
    purgeExpired();
    String token = prefix + "." + index;
    tokens.put(token, new Entry(user, clock.getAsLong() + ttlMillis));
    return token;
  }

  /** The user a live token belongs to (and its TTL restarts), or null. */
  public String user(String token) {
    long now = clock.getAsLong();
    Entry e = tokens.get(token);
    if (e == null) {
      return null;
    }
    if (now - e.expiresAtMillis >= 0) {
      tokens.remove(token, e);
      return null;
    }
    tokens.replace(token, e, new Entry(e.user, now + ttlMillis));
    return e.user;
  }

  @Override
  public String issue(String user, String prefix, long index, long authRevision) {
    return assign(user, prefix, index);
  }

  /** Simple tokens carry no revision: a live one is as good as the store's current revision. */
  @Override
  public Identity verify(String token, long currentRevision) {
    String user = user(token);
    return user == null ? null : new Identity(user, currentRevision);
  }

  /** The log index a simple token names ({@code <letters>.<index>}), or -1 when it has no such form. */
  static long indexOf(String token) {
    if (token == null) {
      return -1;
    }
    String t = token.startsWith("Bearer ") ? token.substring("Bearer ".length()) : token;
    int dot = t.lastIndexOf('.');
    if (dot != PREFIX_LENGTH || t.length() - dot > 20) {
      return -1;
    }
    try {
      return Long.parseLong(t.substring(dot + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  int size() {
    return tokens.size();
  }

  private void purgeExpired() {
    long now = clock.getAsLong();
    for (Iterator<Entry> it = tokens.values().iterator(); it.hasNext(); ) {
      if (now - it.next().expiresAtMillis >= 0) {
        it.remove();
      }
    }
  }

  @Override
  public void userChanged(String user) {
    tokens.values().removeIf(e -> e.user.equals(user));
  }

  @Override
  public void authDisabled() {
    tokens.clear();
  }
}
