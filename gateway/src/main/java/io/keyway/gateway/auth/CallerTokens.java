package io.keyway.gateway.auth;

import io.keyway.gateway.http.ClientCertificates;
import io.keyway.raft.auth.AuthService;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;

/**
 * Where each transport carries the auth token, as etcd reads it (metadata {@code token}, else
 * {@code authorization}); the token is validated in one place ({@link AuthGate}). Null = no token sent.
 */
public final class CallerTokens {
  private CallerTokens() {}

  /** gRPC metadata {@code token} (what etcd clients send), else {@code authorization}. */
  public static String grpc(MultiMap metadata) {
    String token = metadata.get("token");
    return token != null ? token : metadata.get("authorization");
  }

  /**
   * {@link #grpc(MultiMap)}, else the CN of the connection's verified client certificate as etcd takes it for
   * gRPC calls without a token (never for the JSON gateway, whose in-process calls carry no certificate).
   */
  public static String grpc(MultiMap metadata, HttpConnection connection) {
    String token = grpc(metadata);
    if (token != null) {
      return token;
    }
    String cn = ClientCertificates.commonName(connection);
    return cn == null || cn.isEmpty() ? null : AuthService.certificateCaller(cn);
  }

  /**
   * HTTP/JSON gateway: {@code Grpc-Metadata-Token} becomes metadata {@code token}, {@code Authorization}
   * becomes metadata {@code authorization}; either may carry {@code Bearer <token>}.
   */
  public static String http(MultiMap headers) {
    String token = nonEmpty(headers.get("Grpc-Metadata-Token"));
    return token != null ? token : nonEmpty(headers.get("Authorization"));
  }

  /** grpc-gateway forwards no metadata for an empty header: etcd then sees no token at all. */
  private static String nonEmpty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * WebSocket (etcd's grpc-websocket-proxy forwards no other header): cookie {@code token=<t>} wins; else
   * {@code Sec-WebSocket-Protocol: Bearer, <t>} gives {@code Bearer <t>}, and a protocol header without
   * {@code Bearer,} gives an empty Authorization header, i.e. no token.
   */
  public static String webSocket(MultiMap headers) {
    for (String cookieHeader : headers.getAll("Cookie")) {
      for (String cookie : cookieHeader.split(";")) {
        String c = cookie.trim();
        if (c.startsWith("token=")) {
          return "Bearer " + c.substring("token=".length());
        }
      }
    }
    String protocol = headers.get("Sec-WebSocket-Protocol");
    if (protocol == null) {
      return null;
    }
    int bearer = protocol.indexOf("Bearer,");
    return bearer < 0 ? null : ("Bearer " + protocol.substring(bearer + "Bearer,".length()).trim()).trim();
  }
}
