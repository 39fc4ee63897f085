package io.keyway.gateway.http;

import io.keyway.api.GrpcCode;
import io.keyway.gateway.json.GoStrings;

/** How grpc-gateway v1.16 (etcd 3.5) turns a gRPC status into an HTTP error response. */
public final class GatewayErrors {
  private GatewayErrors() {}

  /** grpc-gateway v1.16 {@code HTTPStatusFromCode}. FailedPrecondition is deliberately 400, not 412. */
  public static int httpStatus(int grpcCode) {
    return switch (grpcCode) {
      case GrpcCode.OK -> 200;
      case GrpcCode.CANCELLED -> 408;
      case GrpcCode.UNKNOWN, GrpcCode.INTERNAL, GrpcCode.DATA_LOSS -> 500;
      case GrpcCode.INVALID_ARGUMENT, GrpcCode.FAILED_PRECONDITION, GrpcCode.OUT_OF_RANGE -> 400;
      case GrpcCode.DEADLINE_EXCEEDED -> 504;
      case GrpcCode.NOT_FOUND -> 404;
      case GrpcCode.ALREADY_EXISTS, GrpcCode.ABORTED -> 409;
      case GrpcCode.PERMISSION_DENIED -> 403;
      case GrpcCode.RESOURCE_EXHAUSTED -> 429;
      case GrpcCode.UNIMPLEMENTED -> 501;
      case GrpcCode.UNAVAILABLE -> 503;
      case GrpcCode.UNAUTHENTICATED -> 401;
      default -> 500;
    };
  }

  /**
   * The error body: the {@code internal.Error} proto printed by jsonpb, so fields come in number order
   * (error, code, message) and an empty message is omitted altogether.
   */
  public static String body(int grpcCode, String message) {
    if (message == null || message.isEmpty()) {
      return "{\"code\":" + grpcCode + "}";
    }
    String quoted = GoStrings.jsonString(message);
    return "{\"error\":" + quoted + ",\"code\":" + grpcCode + ",\"message\":" + quoted + "}";
  }

  /**
   * grpc-gateway v1.16's {@code handleForwardResponseStreamError}: the chunk (no trailing newline) that ends a
   * streamed response which failed after it started.
   */
  public static String streamErrorChunk(int grpcCode, String message) {
    int http = httpStatus(grpcCode);
    return "{\"error\":{\"grpc_code\":" + grpcCode + ",\"http_code\":" + http + ",\"message\":"
        + io.keyway.gateway.json.GoStrings.jsonString(message) + ",\"http_status\":"
        + io.keyway.gateway.json.GoStrings.jsonString(statusText(http)) + "}}";
  }

  /** Go's http.StatusText for the statuses a gRPC code maps to. */
  public static String statusText(int status) {
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
