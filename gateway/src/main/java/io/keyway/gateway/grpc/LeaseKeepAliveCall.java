package io.keyway.gateway.grpc;

import com.google.protobuf.Message;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.LeaseKeepAliveRequest;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.raft.EtcdLease;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Serves one LeaseKeepAlive stream over gRPC, as etcd's LeaseServer does: requests are handled one at a time
 * in arrival order, each answered by one response (TTL 0 for an unknown lease); the first failure ends the
 * stream with its status; the client's half-close ends it with OK once every request got its answer.
 */
final class LeaseKeepAliveCall implements Handler<GrpcServerRequest<Object, Message>> {
  private final java.util.function.Function<String, EtcdLease> leaseForToken;
  private final long maxMessageSize;

  LeaseKeepAliveCall(java.util.function.Function<String, EtcdLease> leaseForToken, long maxMessageSize) {
    this.leaseForToken = leaseForToken;
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  public void handle(GrpcServerRequest<Object, Message> request) {
    GrpcServerResponse<Object, Message> response = request.response();
    String encoding = request.encoding();
    if (encoding != null && !encoding.equals("identity") && !encoding.equals("gzip")) {
      UnaryCall.fail(response, GrpcCode.UNIMPLEMENTED,
          "grpc: Decompressor is not installed for grpc-encoding \"" + encoding + "\"");
      return;
    }
    Stream stream;
    try {
      stream = new Stream(Vertx.currentContext(), request, response);
    } catch (EtcdException refused) { // a learner's: before any request, as etcd's stream interceptor
      UnaryCall.fail(response, refused.code(), refused.getMessage());
      return;
    }
    stream.start();
  }

  /** The state of one stream; touched only on its event-loop context. */
  private final class Stream {
    private final Context context;
    private final GrpcServerRequest<Object, Message> request;
    private final GrpcServerResponse<Object, Message> response;
    private final Queue<Long> queued = new ArrayDeque<>();
    private final EtcdLease lease;
    private boolean busy;
    private boolean halfClosed;
    private boolean done;

    Stream(Context context, GrpcServerRequest<Object, Message> request, GrpcServerResponse<Object, Message> response) {
      this.context = context;
      this.request = request;
      this.response = response;
      this.lease = leaseForToken.apply(io.keyway.gateway.auth.CallerTokens.grpc(request.headers(), request.connection()));
    }

    void start() {
      request.invalidMessageHandler(invalid -> {
        if (invalid instanceof MessageSizeOverflowException overflow) {
          fail(GrpcCode.RESOURCE_EXHAUSTED, "grpc: received message larger than max ("
              + overflow.messageSize() + " vs. " + maxMessageSize + ")");
        } else {
          fail(GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + invalid.getMessage());
        }
      });
      request.handler(message -> {
        if (done) {
          return;
        }
        if (message instanceof RequestDecoder.Failure failure) {
          fail(GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + failure.reason());
          return;
        }
        queued.add(((LeaseKeepAliveRequest) message).getID());
        next();
      });
      request.endHandler(v -> {
        halfClosed = true;
        next();
      });
      // a client that cancels or resets the stream: nothing more to answer
      request.exceptionHandler(t -> done = true);
    }

    private void next() {
      if (busy || done) {
        return;
      }
      Long id = queued.poll();
      if (id == null) {
        if (halfClosed) {
          done = true;
          response.end();
        }
        return;
      }
      busy = true;
      Future.fromCompletionStage(lease.keepAlive(id), context).onComplete(ar -> {
        busy = false;
        if (done) {
          return;
        }
        if (ar.failed()) {
          RpcFailure f = RpcFailure.of(ar.cause());
          fail(f.code(), f.message());
          return;
        }
        response.write(ar.result());
        next();
      });
    }

    private void fail(int code, String message) {
      if (done) {
        return;
      }
      done = true;
      UnaryCall.fail(response, code, message);
    }
  }
}
