package io.keyway.raft.auth;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.authpb.User;
import io.keyway.api.etcdserverpb.AuthUserAddRequest;
import io.keyway.api.etcdserverpb.AuthUserAddResponse;
import io.keyway.api.etcdserverpb.AuthUserChangePasswordRequest;
import io.keyway.api.etcdserverpb.AuthUserChangePasswordResponse;
import io.keyway.api.etcdserverpb.AuthenticateRequest;
import io.keyway.api.etcdserverpb.AuthenticateResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.raftpb.InternalAuthenticateRequest;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.api.raftpb.RequestHeader;
import io.keyway.raft.propose.Proposer;
import io.keyway.raft.propose.ReadBarrier;
import io.keyway.raft.propose.RequestIds;
import io.keyway.store.auth.AuthInfo;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.auth.Passwords;
import io.keyway.store.auth.RequestPermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * etcd's Auth service on one member, and the identity check every other service relies on.
 *
 * <p>As in etcd 3.5, every auth RPC is a Raft entry carrying the caller's identity in its header; the apply
 * ({@link io.keyway.raft.statemachine.AuthApplier}) checks admin rights and applies. Passwords are bcrypt-hashed
 * here, before proposing, so only hashes reach the log and the apply thread never hashes. Authenticate checks
 * the password here after a ReadIndex round, then proposes the login; the apply mints the token (simple tokens:
 * on every member), and the login is retried when the auth store moved between the check and the apply.
 */
public final class AuthService implements AutoCloseable {
  /** Marks a caller known by its verified client certificate; NUL never occurs in a token a client sends. */
  private static final String CERTIFICATE_CALLER = "\u0000cert:";

  /**
   * The caller of a gRPC request that sent no token over a connection with a verified client certificate
   * (etcd's {@code --client-cert-auth}): its CN is the user name while auth is enabled.
   */
  public static String certificateCaller(String commonName) {
    return CERTIFICATE_CALLER + commonName;
  }

  private static final int AUTHENTICATE_ATTEMPTS = 3;
  /** The field of {@link RaftRequest} that carries each etcd Auth request (all but Authenticate's). */
  private static final Map<Descriptor, FieldDescriptor> PROPOSED_AS = proposedAs();

  private final AuthStore store;
  private final RequestPermissions permissions;
  private final TokenIssuer tokens;
  private final SimpleTokens prefixes;
  private final Proposer proposer;
  private final RequestIds ids;
  private final ReadBarrier readBarrier;
  private final Supplier<ResponseHeader> header;
  private final int bcryptCost;
  /** bcrypt runs here: slow on purpose, so never on event loops, Raft or read threads; bounded against floods. */
  private final ExecutorService hashing;

  public AuthService(RequestPermissions permissions, TokenIssuer tokens, Proposer proposer, RequestIds ids,
      ReadBarrier readBarrier, Supplier<ResponseHeader> header, int bcryptCost) {
    this.store = permissions.store();
    this.permissions = permissions;
    this.tokens = tokens;
    this.prefixes = new SimpleTokens(0, () -> 0);
    this.proposer = proposer;
    this.ids = ids;
    this.readBarrier = readBarrier;
    this.header = header;
    this.bcryptCost = Passwords.validCost(bcryptCost);
    this.hashing = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(1024), r -> {
      Thread t = new Thread(r, "keyway-bcrypt");
      t.setDaemon(true);
      return t;
    });
  }

  private volatile java.util.function.LongSupplier appliedIndex = () -> Long.MAX_VALUE;
  private volatile java.util.function.LongSupplier loggedIndex = () -> 0;
  private volatile java.util.concurrent.ScheduledExecutorService timers;
  private volatile long tokenWaitMs;
  /** How many entries a member's log may lag behind the one that minted a token it is asked to check. */
  private static final long TOKEN_LOG_LAG = 10_000;

  /**
   * Lets {@link #identifyAsync} wait, like etcd's simple-token check, until this member applied the login that
   * minted a token (a client may log in on one member and use the token on another at once). Only entries
   * already in the local log are waited for, so guessed tokens naming future indexes are refused at once.
   */
  public void awaitTokensWith(java.util.function.LongSupplier appliedIndex,
      java.util.function.LongSupplier loggedIndex, java.util.concurrent.ScheduledExecutorService timers,
      long timeoutMs) {
    this.appliedIndex = appliedIndex;
    this.loggedIndex = loggedIndex;
    this.timers = timers;
    this.tokenWaitMs = timeoutMs;
  }

  public AuthStore store() { return store; }

  public RequestPermissions permissions() { return permissions; }

  public boolean isEnabled() { return store.isEnabled(); }

  /**
   * The caller behind a token (etcd's AuthInfoFromCtx): null while auth is disabled (tokens are ignored) or
   * when no token was sent; a leading {@code "Bearer "} is stripped (etcd 3.5.32+).
   *
   * @throws EtcdException INVALID_AUTH_TOKEN for a token that is unknown, expired, forged or stale
   */
  public AuthInfo identify(String token) throws EtcdException {
    if (!store.isEnabled() || token == null) {
      return null;
    }
    if (token.startsWith(CERTIFICATE_CALLER)) {
      // etcd's AuthInfoFromTLS: the verified certificate's CN at the current revision; an unknown user is
      // then refused by the permission checks, not here
      return new AuthInfo(token.substring(CERTIFICATE_CALLER.length()), store.revision());
    }
    String t = token.startsWith("Bearer ") ? token.substring("Bearer ".length()) : token;
    TokenIssuer.Identity id = tokens.verify(t, store.revision());
    if (id == null || store.user(id.user()) == null) {
      throw EtcdError.INVALID_AUTH_TOKEN.exception();
    }
    return new AuthInfo(id.user(), id.revision());
  }

  /**
   * {@link #identify}, but a simple token minted at a log index this member has not applied yet is checked
   * once it has been (or refused when that takes longer than the request timeout).
   */
  public CompletableFuture<AuthInfo> identifyAsync(String token) {
    try {
      return CompletableFuture.completedFuture(identify(token));
    } catch (EtcdException e) {
      long index = SimpleTokens.indexOf(token);
      // a follower may not even have logged a login that another member just answered: wait for it (as etcd
      // does) unless the index is implausibly far ahead, so a forged token cannot park requests
      if (e.error() != EtcdError.INVALID_AUTH_TOKEN || index > loggedIndex.getAsLong() + TOKEN_LOG_LAG
          || timers == null) {
        return CompletableFuture.failedFuture(e);
      }
      if (index <= appliedIndex.getAsLong()) {
        // the login may have been applied between the look-up above and now: one more look decides
        try {
          return CompletableFuture.completedFuture(identify(token));
        } catch (EtcdException again) {
          return CompletableFuture.failedFuture(again);
        }
      }
      CompletableFuture<AuthInfo> result = new CompletableFuture<>();
      long deadline = System.nanoTime() + tokenWaitMs * 1_000_000;
      retryWhenApplied(token, index, deadline, result);
      return result;
    }
  }

  private void retryWhenApplied(String token, long index, long deadline, CompletableFuture<AuthInfo> result) {
    if (appliedIndex.getAsLong() >= index || System.nanoTime() - deadline > 0) {
      try {
        result.complete(identify(token));
      } catch (EtcdException e) {
        result.completeExceptionally(e);
      }
      return;
    }
    try {
      timers.schedule(() -> retryWhenApplied(token, index, deadline, result), 10, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(EtcdError.STOPPED.exception());
    }
  }

  /** The Raft header of a client proposal: present even without identity, so the apply knows a client sent it. */
  public static RequestHeader headerOf(long id, AuthInfo who) {
    RequestHeader.Builder b = RequestHeader.newBuilder().setId(id);
    if (who != null) {
      b.setUsername(who.username()).setAuthRevision(who.revision());
    }
    return b.build();
  }

  // ---- RPCs ---------------------------------------------------------------------------------------------------

  /**
   * Runs the Auth RPC whose request is {@code request} for {@code who} (null while auth is disabled):
   * Authenticate checks the password here, UserAdd and UserChangePassword hash theirs, and every request is
   * proposed through Raft in the {@link RaftRequest} field of its type, where the apply checks it.
   *
   * @throws IllegalArgumentException when {@code request} is not an Auth RPC's
   */
  public CompletableFuture<? extends Message> call(AuthInfo who, Message request) {
    if (request instanceof AuthenticateRequest r) {
      return authenticate(r);
    }
    if (request instanceof AuthUserAddRequest r) {
      return userAdd(who, r);
    }
    if (request instanceof AuthUserChangePasswordRequest r) {
      return userChangePassword(who, r);
    }
    FieldDescriptor field = PROPOSED_AS.get(request.getDescriptorForType());
    if (field == null) {
      throw new IllegalArgumentException("not an Auth RPC: " + request.getDescriptorForType().getFullName());
    }
    return propose(who, RaftRequest.newBuilder().setField(field, request));
  }

  private CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest r) {
    return authenticate(r, AUTHENTICATE_ATTEMPTS);
  }

  private CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest r, int attempts) {
    String name = r.getName();
    String password = r.getPassword();
    return readBarrier.thenRead(() -> null)
        .thenApplyAsync(v -> checkPassword(name, password), hashing)
        .thenCompose(checkedRevision -> this.<AuthenticateResponse>propose(null, RaftRequest.newBuilder()
                .setAuthenticate(InternalAuthenticateRequest.newBuilder()
                    .setName(name).setSimpleToken(prefixes.newPrefix())))
            .thenCompose(resp -> checkedRevision == store.revision() || attempts <= 1
                ? CompletableFuture.completedFuture(resp) : authenticate(r, attempts - 1)));
  }

  /** etcd's CheckPassword: the auth revision the password was checked at. */
  private long checkPassword(String name, String password) {
    if (!store.isEnabled()) {
      throw EtcdError.AUTH_NOT_ENABLED.exception();
    }
    long revision = store.revision();
    User user = store.user(name);
    if (user == null) {
      throw EtcdError.AUTH_FAILED.exception();
    }
    if (user.getOptions().getNoPassword()) {
      // etcd does not map this one, so clients see it as Unknown
      throw new EtcdException(GrpcCode.UNKNOWN, "auth: authentication failed, password was given for no password user");
    }
    if (!Passwords.matches(password, user.getPassword().toByteArray())) {
      throw EtcdError.AUTH_FAILED.exception();
    }
    return revision;
  }

  /** As etcd 3.5: unless the user has no password, {@code password} is hashed (a given hash is replaced). */
  private CompletableFuture<AuthUserAddResponse> userAdd(AuthInfo who, AuthUserAddRequest r) {
    if (r.getOptions().getNoPassword()) {
      return propose(who, RaftRequest.newBuilder().setUserAdd(r.toBuilder().clearPassword()));
    }
    return hashed(r.getPassword()).thenCompose(hash -> propose(who, RaftRequest.newBuilder()
        .setUserAdd(r.toBuilder().clearPassword().setHashedPassword(hash))));
  }

  /** As etcd 3.5: a non-empty {@code password} is hashed, otherwise the given {@code hashedPassword} is used. */
  private CompletableFuture<AuthUserChangePasswordResponse> userChangePassword(AuthInfo who,
      AuthUserChangePasswordRequest r) {
    if (r.getPassword().isEmpty()) {
      return propose(who, RaftRequest.newBuilder().setUserChangePassword(r.toBuilder().clearPassword()));
    }
    return hashed(r.getPassword()).thenCompose(hash -> propose(who, RaftRequest.newBuilder()
        .setUserChangePassword(r.toBuilder().clearPassword().setHashedPassword(hash))));
  }

  private CompletableFuture<String> hashed(String password) {
    try {
      return CompletableFuture.supplyAsync(() -> Passwords.hashForProposal(password, bcryptCost), hashing);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(EtcdError.TOO_MANY_REQUESTS.exception());
    }
  }

  @SuppressWarnings("unchecked")
  private <T extends Message> CompletableFuture<T> propose(AuthInfo who, RaftRequest.Builder request) {
    long id = ids.next();
    RaftRequest r = request.setId(id).setHeader(headerOf(id, who)).build();
    return proposer.propose(r).thenApply(result -> withHeader((T) result));
  }

  @SuppressWarnings("unchecked")
  private <T extends Message> T withHeader(T response) {
    Message.Builder b = response.toBuilder();
    FieldDescriptor field = b.getDescriptorForType().findFieldByName("header");
    if (field != null) {
      b.setField(field, header.get());
    }
    return (T) b.build();
  }

  private static Map<Descriptor, FieldDescriptor> proposedAs() {
    Map<Descriptor, FieldDescriptor> out = new java.util.HashMap<>();
    for (FieldDescriptor f : RaftRequest.getDescriptor().getFields()) {
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && f.getMessageType().getFullName().startsWith("etcdserverpb.Auth")) {
        out.put(f.getMessageType(), f);
      }
    }
    return Map.copyOf(out);
  }

  @Override
  public void close() {
    hashing.shutdownNow();
  }
}
