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
}
