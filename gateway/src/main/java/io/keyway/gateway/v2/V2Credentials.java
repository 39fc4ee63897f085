package io.keyway.gateway.v2;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.AuthenticateRequest;
import io.keyway.api.etcdserverpb.AuthenticateResponse;
import io.keyway.gateway.auth.CallerTokens;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.UnaryRpc;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * Who a v2 request acts for. HTTP Basic credentials are exchanged for a v3 token with Authenticate (so the v3
 * user, password check and roles apply unchanged); otherwise the v3 token headers of the JSON gateway count
 * ({@code Authorization: <token>}, {@code Grpc-Metadata-Token}). No credentials: no token, as for v3.
 */
final class V2Credentials {
  private static final String AUTHENTICATE = "etcdserverpb.Auth/Authenticate";

  private final EtcdRpcs rpcs;

  V2Credentials(EtcdRpcs rpcs) {
    this.rpcs = rpcs;
  }

  /** The caller's token (null: none); fails with a v2 "Insufficient credentials" when Basic credentials fail. */
  CompletableFuture<String> token(MultiMap headers) {
    String authorization = headers.get("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return CompletableFuture.completedFuture(CallerTokens.http(headers));
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(insufficient());
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return CompletableFuture.failedFuture(insufficient());
    }
    UnaryRpc<?, ?> rpc = rpcs.find(AUTHENTICATE);
    if (rpc == null) {
      return CompletableFuture.completedFuture(null); // no auth in this build: credentials mean nothing
    }
    AuthenticateRequest request = AuthenticateRequest.newBuilder().setName(decoded.substring(0, colon))
        .setPassword(decoded.substring(colon + 1)).build();
    return rpcs.invoke(rpc, request, null).toCompletableFuture().handle((resp, failure) -> {
      if (failure == null) {
        return ((AuthenticateResponse) resp).getToken();
      }
      Throwable t = V2Store.unwrap(failure);
      if (t instanceof EtcdException e && e.error() == EtcdError.AUTH_NOT_ENABLED) {
        return null; // as v3: with auth off, credentials are not checked
      }
      throw insufficient();
    });
  }

  static V2Error insufficient() {
    return new V2Error(V2Error.UNAUTHORIZED, "Insufficient credentials", 0);
  }
}
