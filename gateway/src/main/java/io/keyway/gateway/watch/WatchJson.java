package io.keyway.gateway.watch;

import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.gateway.http.GatewayErrors;
import io.keyway.gateway.json.JsonCodec;

/** The JSON the gateway streams: grpc-gateway v1.16's {@code ForwardResponseStream} shapes. */
final class WatchJson {
  private WatchJson() {}

  /** One streamed message, without the newline the HTTP stream adds. */
  static String result(WatchResponse response) {
    return "{\"result\":" + JsonCodec.print(response) + "}";
  }

  /**
   * grpc-gateway v1.16's {@code handleForwardResponseStreamError}: the chunk that ends a stream that failed
   * (no trailing newline).
   */
  static String streamError(int grpcCode, String message) {
    return GatewayErrors.streamErrorChunk(grpcCode, message);
  }
}
