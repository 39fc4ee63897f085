package io.keyway.gateway.watch;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;

/**
 * Who opened a watch session and with which request metadata: the gRPC metadata, or the HTTP request or
 * WebSocket handshake headers (cookies included, in {@code Cookie}). Auth (issue #7) takes the caller's token
 * from here: gRPC {@code token}/{@code authorization} metadata; HTTP {@code Authorization} or
 * {@code Grpc-Metadata-Token}; WebSocket {@code Sec-WebSocket-Protocol: Bearer, <token>} or cookie
 * {@code token} (etcd's proxy forwards no other header).
 *
 * @param transport  "grpc", "http" or "websocket"
 * @param remote     the client's address, for logs
 * @param connection the gRPC connection, whose verified client certificate names the user of a call without
 *                   a token (etcd's AuthInfoFromTLS); null for the HTTP transports, where etcd ignores it
 */
record WatchCaller(String transport, String remote, MultiMap headers, HttpConnection connection) {
  WatchCaller(String transport, String remote, MultiMap headers) {
    this(transport, remote, headers, null);
  }

  /** The auth token as this transport carries it; null when none was sent. */
  String token() {
    return switch (transport) {
      case "grpc" -> io.keyway.gateway.auth.CallerTokens.grpc(headers, connection);
      case "websocket" -> io.keyway.gateway.auth.CallerTokens.webSocket(headers);
      default -> io.keyway.gateway.auth.CallerTokens.http(headers);
    };
  }
}
