package io.keyway.gateway.auth;

import com.google.protobuf.Message;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.*;
import io.keyway.gateway.rpc.MemberClient;
import io.keyway.gateway.rpc.RpcGate;
import io.keyway.gateway.rpc.UnaryRpc;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;
import io.keyway.raft.auth.AuthService;
import io.keyway.store.auth.AuthInfo;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.auth.RequestPermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * etcd's access rules (3.5.32+, with the 2026 CVE fixes) in front of every RPC. The token is resolved once
 * ({@link AuthService#identify}: ignored while auth is off, 401 when bad); then each method gets the check etcd
 * makes before serving it. KV writes and auth requests carry the caller into the Raft entry, where the apply
 * checks again against the auth store of that moment. RPCs served as a client of the member (Lock, Election)
 * get the caller's client instead ({@link #clientFor}): each KV and Lease request they make is checked by the
 * same rules as the caller's own KV and Lease RPCs ({@link CheckedKv}, {@link CheckedLease}).
 *
 * <p>Defragment, Hash, HashKV and Snapshot answer with etcd 3.5's unmapped {@code auth: ...} errors (gRPC Unknown,
 * HTTP 500), as etcd 3.5.33's maintenance server does; every other refusal is the mapped {@code etcdserver: ...}
 * error. Auth RPCs are run for the identified caller and checked where applied ({@link AuthRpcs}).
 */
public final class AuthGate implements RpcGate {
  private final AuthService auth;
  private final AuthStore store;
  private final RequestPermissions permissions;
  private final Function<AuthInfo, EtcdKv> kvAs;
  private final Function<AuthInfo, EtcdLease> leaseAs;
  private final Map<String, BiFunction<AuthInfo, Message, CompletionStage<? extends Message>>> authRpcs;

  /**
   * @param kvAs the KV service acting for a caller (its writes carry the caller to the apply)
   * @param leaseAs the Lease service acting for a caller (grants and revokes carry the caller to the apply)
   */
  public AuthGate(AuthService auth, Function<AuthInfo, EtcdKv> kvAs, Function<AuthInfo, EtcdLease> leaseAs) {
    this.auth = auth;
    this.store = auth.store();
    this.permissions = auth.permissions();
    this.kvAs = kvAs;
    this.leaseAs = leaseAs;
    this.authRpcs = AuthRpcs.table(auth);
  }

  Map<String, BiFunction<AuthInfo, Message, CompletionStage<? extends Message>>> table() {
    return authRpcs;
  }

  /** The KV service as {@code who} may use it. */
  private EtcdKv kvFor(AuthInfo who) {
    return new CheckedKv(permissions, who, kvAs.apply(who));
  }

  /** The Lease service as {@code who} may use it. */
  private EtcdLease leasesFor(AuthInfo who) {
    return new CheckedLease(permissions, who, leaseAs.apply(who));
  }

  /**
   * The client etcd's lock and election servers would use for this caller: its requests go through exactly
   * the checks of the caller's own KV and Lease RPCs, so a recipe can do no more than its caller. As etcd's
   * in-process client presents the caller's token with each request, a token that names nobody fails each
   * request with the error a direct one would get (which the recipes report as their servers do).
   */
  @Override
  public MemberClient clientFor(String token) {
    CompletableFuture<AuthInfo> who = auth.identifyAsync(token);
    return new MemberClient(new DeferredKv(who.thenApply(this::kvFor)),
        new DeferredLease(who.thenApply(this::leasesFor)));
  }

  @Override
  public CompletionStage<? extends Message> invoke(UnaryRpc<?, ?> rpc, Message request, String token) {
    CompletableFuture<AuthInfo> identified = auth.identifyAsync(token);
    if (identified.isDone() && !identified.isCompletedExceptionally()) {
      return call(rpc, request, identified.join()); // the usual case: no hop off the caller's thread
    }
    return identified.handle((who, failure) -> failure == null ? call(rpc, request, who)
            : CompletableFuture.<Message>failedFuture(refusal(rpc, failure)))
        .thenCompose(stage -> stage);
  }

  private CompletionStage<? extends Message> call(UnaryRpc<?, ?> rpc, Message request, AuthInfo who) {
    try {
      return dispatch(rpc, request, who, store.isEnabled());
    } catch (EtcdException e) {
      return CompletableFuture.failedFuture(RAW_ERRORS.contains(rpc.fullName()) ? raw(e) : e);
    }
  }

  private static Throwable refusal(UnaryRpc<?, ?> rpc, Throwable failure) {
    Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return t instanceof EtcdException e && RAW_ERRORS.contains(rpc.fullName()) ? raw(e) : t;
  }

  private CompletionStage<? extends Message> dispatch(UnaryRpc<?, ?> rpc, Message request, AuthInfo who,
      boolean enabled) {
    BiFunction<AuthInfo, Message, CompletionStage<? extends Message>> authRpc = authRpcs.get(rpc.fullName());
    if (authRpc != null) {
      return authRpc.apply(who, request);
    }
    switch (rpc.fullName()) {
      // ---- KV: key permissions; writes carry the caller into the log
      case "etcdserverpb.KV/Range" -> {
        return kvFor(who).range((RangeRequest) request);
      }
      case "etcdserverpb.KV/Put" -> {
        return kvFor(who).put((PutRequest) request);
      }
      case "etcdserverpb.KV/DeleteRange" -> {
        return kvFor(who).deleteRange((DeleteRangeRequest) request);
      }
      case "etcdserverpb.KV/Txn" -> {
        return kvFor(who).txn((TxnRequest) request);
      }
      case "etcdserverpb.KV/Compact" -> {
        return kvFor(who).compact((CompactionRequest) request);
      }
      // ---- Lease: any authenticated user; lease keys need WRITE (revoke) or READ (listing keys)
      case "etcdserverpb.Lease/LeaseRevoke" -> {
        return leasesFor(who).revoke((LeaseRevokeRequest) request);
      }
      case "etcdserverpb.Lease/LeaseGrant" -> {
        return leasesFor(who).grant((LeaseGrantRequest) request);
      }
      case "etcdserverpb.Lease/LeaseTimeToLive" -> {
        return leasesFor(who).timeToLive((LeaseTimeToLiveRequest) request);
      }
      case "etcdserverpb.Lease/LeaseLeases" -> {
        return leasesFor(who).leases((LeaseLeasesRequest) request);
      }
      // ---- Maintenance and Cluster
      case "etcdserverpb.Maintenance/Alarm" -> {
        if (enabled) {
          if (((AlarmRequest) request).getAction() == AlarmRequest.AlarmAction.GET) {
            CheckedCall.requireUser(who);
          } else {
            store.checkAdmin(who);
          }
        }
        return rpc.invoke(request);
      }
      case "etcdserverpb.Maintenance/Defragment", "etcdserverpb.Maintenance/Hash",
          "etcdserverpb.Maintenance/HashKV", "etcdserverpb.Maintenance/MoveLeader",
          "etcdserverpb.Maintenance/Downgrade" -> {
        store.checkAdmin(who);
        return rpc.invoke(request);
      }
      case "etcdserverpb.Cluster/MemberAdd", "etcdserverpb.Cluster/MemberRemove",
          "etcdserverpb.Cluster/MemberUpdate", "etcdserverpb.Cluster/MemberPromote" -> {
        store.checkAdmin(who);
        return rpc.invoke(request);
      }
      // Maintenance Status, MemberList and anything else: any authenticated user
      default -> {
        if (enabled) {
          CheckedCall.requireUser(who);
        }
        return rpc.invoke(request);
      }
    }
  }

  @Override
  public EtcdException refuseStream(String fullName, Message request, String token) {
    try {
      AuthInfo who = auth.identify(token);
      if (!store.isEnabled()) {
        return null;
      }
      switch (fullName) {
        case "etcdserverpb.Maintenance/Snapshot" -> store.checkAdmin(who);
        default -> CheckedCall.requireUser(who);
      }
      return null;
    } catch (EtcdException e) {
      return RAW_ERRORS.contains(fullName) ? raw(e) : e;
    }
  }

  /**
   * Watch creation: READ on the watched range (etcd's isWatchPermitted). Null when permitted, else the cancel
   * reason etcd sends: the gRPC status text of the refusal.
   */
  public String refuseWatch(String token, WatchCreateRequest create) {
    try {
      AuthInfo who = auth.identify(token);
      store.checkRead(who, create.getKey(), create.getRangeEnd());
      return null;
    } catch (EtcdException e) {
      EtcdError reason = switch (e.error() == null ? EtcdError.PERMISSION_DENIED_ERR : e.error()) {
        case INVALID_AUTH_TOKEN, AUTH_OLD_REVISION, USER_EMPTY -> e.error();
        default -> EtcdError.PERMISSION_DENIED_ERR;
      };
      return "rpc error: code = " + goCodeName(reason.code()) + " desc = " + reason.message();
    }
  }

  private static String goCodeName(int code) {
    return switch (code) {
      case GrpcCode.UNAUTHENTICATED -> "Unauthenticated";
      case GrpcCode.INVALID_ARGUMENT -> "InvalidArgument";
      default -> "PermissionDenied";
    };
  }

  /** Lease keep-alive: admin, or WRITE on every key of the lease. Null when permitted. */
  @Override
  public EtcdException refuseKeepAlive(String token, long leaseId) {
    try {
      AuthInfo who = auth.identify(token);
      if (store.isEnabled()) {
        CheckedLease.checkKeepAlive(permissions, who, leaseId);
      }
      return null;
    } catch (EtcdException e) {
      return e;
    }
  }

  /**
   * etcd 3.5's maintenance server returns the auth store's raw errors for these (its authMaintenanceServer
   * skips togRPCError), which gRPC reports as Unknown (HTTP 500) with the {@code auth: ...} text.
   */
  private static final java.util.Set<String> RAW_ERRORS = java.util.Set.of("etcdserverpb.Maintenance/Defragment",
      "etcdserverpb.Maintenance/Hash", "etcdserverpb.Maintenance/HashKV", "etcdserverpb.Maintenance/Snapshot");

  private static EtcdException raw(EtcdException e) {
    if (e.error() == null) {
      return e;
    }
    String text = switch (e.error()) {
      case USER_EMPTY -> "auth: user name is empty";
      case USER_NOT_FOUND -> "auth: user not found";
      case INVALID_AUTH_TOKEN -> "auth: invalid auth token";
      case PERMISSION_DENIED_ERR -> "auth: permission denied";
      default -> null;
    };
    return text == null ? e : new EtcdException(GrpcCode.UNKNOWN, text);
  }
}
