package io.keyway.gateway.grpc;

import io.vertx.core.MultiMap;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Ends a gRPC call with a status and its message encoded as the gRPC spec says for {@code grpc-message}:
 * only bytes outside printable ASCII and {@code %} itself are percent-encoded.
 *
 * <p>Vert.x 5.0's own encoder also escapes {@code :}, and grpc-js (the node {@code etcd3} client) decodes
 * with {@code decodeURI}, which leaves {@code %3A} alone: every etcd error reached node clients as
 * {@code etcdserver%3A …} and matched none of their error classes.
 */
public final class GrpcStatusMessage {
  private static final String HEADER = "grpc-message";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private GrpcStatusMessage() {}

  /**
   * Ends the call unless it has ended already: a client's cancel or deadline makes Vert.x send the trailers
   * itself, and an answer that completes afterwards (a lock wait abandoned, say) has nobody left to tell.
   */
  public static void end(GrpcServerResponse<?, ?> response, int code, String message) {
    MultiMap trailers;
    try {
      trailers = response.trailers();
    } catch (IllegalStateException alreadyEnded) {
      return; // Vert.x 5.0 offers no "trailers sent?" query; trailers() throws once they are
    }
    if (message != null && !message.isEmpty()) {
      // Vert.x leaves a grpc-message already present in the trailers as it is
      trailers.set(HEADER, encode(message));
    }
    response.status(GrpcStatus.valueOf(code)).end();
  }

  static String encode(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }
}
