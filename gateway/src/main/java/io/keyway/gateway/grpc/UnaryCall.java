package io.keyway.gateway.grpc;

import com.google.protobuf.Message;
import io.keyway.api.GrpcCode;
import io.keyway.gateway.auth.CallerTokens;
import io.keyway.gateway.rpc.CancellableResult;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.gateway.rpc.UnaryRpc;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.concurrent.CompletionStage;

/**
 * Serves one unary RPC over gRPC. The RPC's future completes on a Raft or store thread; the answer is
 * written from the request's event-loop context. Every path ends the call with a status, so a client never
 * waits on a call the server has given up on.
 */
final class UnaryCall implements Handler<GrpcServerRequest<Object, Message>> {
  private final EtcdRpcs rpcs;
  private final UnaryRpc<?, ?> rpc;
  private final long maxMessageSize;

  UnaryCall(EtcdRpcs rpcs, UnaryRpc<?, ?> rpc, long maxMessageSize) {
    this.rpcs = rpcs;
    this.rpc = rpc;
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  public void handle(GrpcServerRequest<Object, Message> request) {
    Context context = Vertx.currentContext();
    GrpcServerResponse<Object, Message> response = request.response();
    String encoding = request.encoding();
    if (encoding != null && !encoding.equals("identity") && !encoding.equals("gzip")) {
      // Vert.x would throw from its decoder and leave the call hanging
      fail(response, GrpcCode.UNIMPLEMENTED,
          "grpc: Decompressor is not installed for grpc-encoding \"" + encoding + "\"");
      return;
    }
    boolean[] started = {false};
    request.invalidMessageHandler(invalid -> {
      if (started[0]) {
        return;
      }
      started[0] = true;
      if (invalid instanceof MessageSizeOverflowException overflow) {
        fail(response, GrpcCode.RESOURCE_EXHAUSTED, "grpc: received message larger than max ("
            + overflow.messageSize() + " vs. " + maxMessageSize + ")");
      } else {
        fail(response, GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + invalid.getMessage());
      }
    });
    request.handler(message -> {
      if (started[0]) {
        return; // a unary call carries one request; anything more is ignored
      }
      started[0] = true;
      if (message instanceof RequestDecoder.Failure failure) {
        fail(response, GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + failure.reason());
        return;
      }
      CompletionStage<? extends Message> stage = rpcs.invoke(rpc, (Message) message,
          CallerTokens.grpc(request.headers(), request.connection()),
          EtcdRpcs.requiresLeader(request.headers().get(EtcdRpcs.REQUIRE_LEADER)));
      if (stage instanceof CancellableResult<?> waiting) {
        // a client that cancels, times out or disconnects ends a lock or campaign wait
        request.errorHandler(e -> waiting.abandon()); // RST_STREAM: cancel, deadline, connection gone
        request.exceptionHandler(t -> waiting.abandon());
        response.exceptionHandler(t -> waiting.abandon());
      }
      Future.fromCompletionStage(stage, context).onComplete(ar -> {
        if (ar.succeeded()) {
          response.end(ar.result());
        } else {
          RpcFailure f = RpcFailure.of(ar.cause());
          fail(response, f.code(), f.message());
        }
      });
    });
    request.endHandler(v -> {
      if (!started[0]) {
        started[0] = true;
        fail(response, GrpcCode.INTERNAL, "grpc: error while receiving request: no request message");
      }
    });
  }

  static void fail(GrpcServerResponse<?, ?> response, int code, String message) {
    // a deadline or a client cancel may have ended the call already; Vert.x then fails this future
    GrpcStatusMessage.end(response, code, message);
  }
}
