package io.keyway.gateway.grpc;

import com.google.protobuf.Message;
import io.keyway.api.GrpcCode;
import io.keyway.gateway.auth.CallerTokens;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.gateway.rpc.ServerStreamRpc;
import io.keyway.gateway.rpc.StreamSink;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * Serves one server-streaming RPC (Election/Observe) over gRPC: the single request starts the stream, each
 * message is written on the call's context, the stream ends with its status; a client that cancels or
 * disconnects stops it.
 */
final class ServerStreamCall implements Handler<GrpcServerRequest<Object, Message>> {
  private final EtcdRpcs rpcs;
  private final ServerStreamRpc<?, ?> rpc;
  private final long maxMessageSize;

  ServerStreamCall(EtcdRpcs rpcs, ServerStreamRpc<?, ?> rpc, long maxMessageSize) {
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
      UnaryCall.fail(response, GrpcCode.UNIMPLEMENTED,
          "grpc: Decompressor is not installed for grpc-encoding \"" + encoding + "\"");
      return;
    }
    boolean[] state = {false, false}; // started, done (event loop only)
    request.invalidMessageHandler(invalid -> {
      if (state[0]) {
        return;
      }
      state[0] = true;
      state[1] = true;
      if (invalid instanceof MessageSizeOverflowException overflow) {
        UnaryCall.fail(response, GrpcCode.RESOURCE_EXHAUSTED, "grpc: received message larger than max ("
            + overflow.messageSize() + " vs. " + maxMessageSize + ")");
      } else {
        UnaryCall.fail(response, GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + invalid.getMessage());
      }
    });
    request.handler(message -> {
      if (state[0]) {
        return;
      }
      state[0] = true;
      if (message instanceof RequestDecoder.Failure failure) {
        state[1] = true;
        UnaryCall.fail(response, GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + failure.reason());
        return;
      }
      Runnable stop = rpcs.forCaller(rpc, CallerTokens.grpc(request.headers(), request.connection())).start((Message) message, new StreamSink<Message>() {
        @Override
        public void next(Message m) {
          context.runOnContext(v -> {
            if (!state[1]) {
              response.write(m);
            }
          });
        }

        @Override
        public void end() {
          context.runOnContext(v -> {
            if (!state[1]) {
              state[1] = true;
              response.end();
            }
          });
        }

        @Override
        public void fail(Throwable failure) {
          RpcFailure f = RpcFailure.of(failure);
          context.runOnContext(v -> {
            if (!state[1]) {
              state[1] = true;
              UnaryCall.fail(response, f.code(), f.message());
            }
          });
        }
      });
      Handler<Throwable> gone = t -> {
        state[1] = true;
        stop.run();
      };
      request.errorHandler(e -> gone.handle(null)); // RST_STREAM: cancel, deadline, connection gone
      request.exceptionHandler(gone);
      response.exceptionHandler(gone);
    });
    request.endHandler(v -> {
      if (!state[0]) {
        state[0] = true;
        state[1] = true;
        UnaryCall.fail(response, GrpcCode.INTERNAL, "grpc: error while receiving request: no request message");
      }
    });
  }
}
