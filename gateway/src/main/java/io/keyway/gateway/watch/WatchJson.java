package io.keyway.gateway.watch;

import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.gateway.http.GatewayErrors;
import io.keyway.gateway.json.GoStrings;
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
    int http = GatewayErrors.httpStatus(grpcCode);
    return "{\"error\":{\"grpc_code\":" + grpcCode + ",\"http_code\":" + http + ",\"message\":"
        + GoStrings.jsonString(message) + ",\"http_status\":" + GoStrings.jsonString(statusText(http)) + "}}";
  }

  /** Go's http.StatusText for the statuses a gRPC code maps to. */
  static String statusText(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 429 -> "Too Many Requests";
      case 501 -> "Not Implemented";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Internal Server Error";
    };
  }
}
