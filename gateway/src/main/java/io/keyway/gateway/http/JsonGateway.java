package io.keyway.gateway.http;

import com.google.protobuf.Message;
import io.keyway.api.GrpcCode;
import io.keyway.gateway.auth.CallerTokens;
import io.keyway.gateway.json.JsonCodec;
import io.keyway.gateway.json.JsonDecodeException;
import io.keyway.gateway.rpc.CancellableResult;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.gateway.rpc.UnaryRpc;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletionStage;

/**
 * etcd's HTTP/JSON gateway for unary RPCs: JSON body in, the same RPC the gRPC server runs, JSON out. Errors
 * come back the way grpc-gateway v1.16 reports them, including the gRPC receive limit the gateway's
 * loopback call would hit.
 */
final class JsonGateway {
  private static final CharSequence GRPC_METADATA_CONTENT_TYPE =
      HttpHeaders.createOptimized("Grpc-Metadata-Content-Type");
  private static final CharSequence APPLICATION_GRPC = HttpHeaders.createOptimized("application/grpc");

  private final EtcdRpcs rpcs;
  private final long maxMessageSize;
  private final long maxBodySize;

  /**
   * @param maxMessageSize gRPC receive limit (max-request-bytes + 512 KiB); larger requests get 429
   */
  JsonGateway(EtcdRpcs rpcs, long maxMessageSize) {
    this.rpcs = rpcs;
    this.maxMessageSize = maxMessageSize;
    // base64 inflates values by 4/3 and JSON adds quoting; beyond 4x no body can decode under the limit
    this.maxBodySize = 4 * maxMessageSize;
  }

  void handle(RoutingContext ctx, String fullMethod) {
    Context context = Vertx.currentContext();
    HttpServerResponse response = ctx.response();
    RequestBody.read(ctx.request(), maxBodySize).onComplete(read -> {
      if (read.failed()) {
        response.reset(); // the client went away mid-body: drop the stream (HTTP/1: the connection)
        return;
      }
      RequestBody body = read.result();
      if (body.truncated()) {
        tooLarge(response, body.length());
        return;
      }
      UnaryRpc<?, ?> rpc = rpcs.find(fullMethod);
      if (rpc == null) {
        String method = fullMethod.substring(fullMethod.indexOf('/') + 1);
        error(response, GrpcCode.UNIMPLEMENTED, "method " + method + " not implemented");
        return;
      }
      Message request;
      try {
        request = JsonCodec.merge(body.bytes().getBytes(), rpc.requestPrototype().newBuilderForType()).build();
      } catch (JsonDecodeException e) {
        error(response, GrpcCode.INVALID_ARGUMENT, e.getMessage());
        return;
      }
      int size = request.getSerializedSize();
      if (size > maxMessageSize) {
        tooLarge(response, size);
        return;
      }
      CompletionStage<? extends Message> stage = rpcs.invoke(rpc, request, CallerTokens.http(ctx.request().headers()),
          EtcdRpcs.requiresLeader(ctx.request().headers().get("Grpc-Metadata-" + EtcdRpcs.REQUIRE_LEADER)));
      if (stage instanceof CancellableResult<?> waiting) {
        response.closeHandler(v -> waiting.abandon()); // the client went away: end its lock or campaign wait
      }
      Future.fromCompletionStage(stage, context).onComplete(result -> {
        if (result.succeeded()) {
          send(response, 200, JsonCodec.print(result.result()));
        } else {
          RpcFailure f = RpcFailure.of(result.cause());
          error(response, f.code(), f.message());
        }
      });
    });
  }

  private void tooLarge(HttpServerResponse response, long size) {
    error(response, GrpcCode.RESOURCE_EXHAUSTED,
        "grpc: received message larger than max (" + size + " vs. " + maxMessageSize + ")");
  }

  /**
   * An error carries no {@code Grpc-Metadata-Content-Type}: the gateway's own errors have no gRPC metadata, and
   * a failed call is a trailers-only gRPC response whose content-type is trailer, not header, metadata.
   */
  static void error(HttpServerResponse response, int grpcCode, String message) {
    send(response, GatewayErrors.httpStatus(grpcCode), GatewayErrors.body(grpcCode, message), false);
  }

  private static void send(HttpServerResponse response, int status, String json) {
    send(response, status, json, true);
  }

  private static void send(HttpServerResponse response, int status, String json, boolean headerMetadata) {
    if (response.ended() || response.closed()) {
      return; // the client gave up while the RPC ran
    }
    response.headers().set(GoHttp.CONTENT_TYPE, GoHttp.APPLICATION_JSON);
    if (headerMetadata) {
      response.headers().set(GRPC_METADATA_CONTENT_TYPE, APPLICATION_GRPC);
    }
    response.setStatusCode(status).end(json);
  }
}
