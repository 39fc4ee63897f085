package io.keyway.gateway.http;

import com.google.protobuf.Message;
import io.keyway.api.GrpcCode;
import io.keyway.gateway.json.JsonCodec;
import io.keyway.gateway.json.JsonDecodeException;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.gateway.rpc.ServerStreamRpc;
import io.keyway.gateway.rpc.StreamSink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A server-streaming RPC (Election/Observe) over the HTTP/JSON gateway, as grpc-gateway v1.16 serves one: the
 * body is one JSON request (an empty body is the empty request; a bad one is a unary 400 error); each message
 * is a {@code {"result":…}\n} chunk; a normal end of the stream ends the response; a failure after the start
 * is one unterminated {@code {"error":{…}}} chunk. Headers wait for the first message or error.
 */
final class ServerStreamHttp {
  private static final CharSequence GRPC_METADATA_CONTENT_TYPE =
      HttpHeaders.createOptimized("Grpc-Metadata-Content-Type");
  private static final CharSequence APPLICATION_GRPC = HttpHeaders.createOptimized("application/grpc");

  private final ServerStreamRpc<?, ?> rpc;
  private final long maxMessageSize;
  private final Context context;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  /** Touched only on {@link #context}. */
  private boolean done;

  ServerStreamHttp(ServerStreamRpc<?, ?> rpc, long maxMessageSize, HttpServerRequest request) {
    this.rpc = rpc;
    this.maxMessageSize = maxMessageSize;
    this.context = Vertx.currentContext();
    this.request = request;
    this.response = request.response();
  }

  void start() {
    RequestBody.read(request, 4 * maxMessageSize).onComplete(read -> {
      if (read.failed()) {
        response.reset();
        return;
      }
      RequestBody body = read.result();
      if (body.truncated()) {
        JsonGateway.error(response, GrpcCode.RESOURCE_EXHAUSTED,
            "grpc: received message larger than max (" + body.length() + " vs. " + maxMessageSize + ")");
        return;
      }
      Message message;
      try {
        message = JsonCodec.merge(body.bytes().getBytes(), rpc.requestPrototype().newBuilderForType()).build();
      } catch (JsonDecodeException e) {
        JsonGateway.error(response, GrpcCode.INVALID_ARGUMENT, e.getMessage());
        return;
      }
      Runnable stop = rpc.start(message, new Sink());
      response.closeHandler(v -> {
        done = true;
        stop.run();
      });
    });
  }

  private final class Sink implements StreamSink<Message> {
    @Override
    public void next(Message message) {
      String chunk = "{\"result\":" + JsonCodec.print(message) + "}\n";
      context.runOnContext(v -> {
        if (!done && !response.closed()) {
          writeHeadersIfNeeded(200);
          response.write(chunk);
        }
      });
    }

    @Override
    public void end() {
      context.runOnContext(v -> {
        if (!done && !response.closed()) {
          done = true;
          writeHeadersIfNeeded(200);
          response.end();
        }
      });
    }

    @Override
    public void fail(Throwable failure) {
      RpcFailure f = RpcFailure.of(failure);
      context.runOnContext(v -> {
        if (done || response.closed()) {
          return;
        }
        done = true;
        int http = GatewayErrors.httpStatus(f.code());
        writeHeadersIfNeeded(http);
        response.end(GatewayErrors.streamErrorChunk(f.code(), f.message()));
      });
    }
  }

  private void writeHeadersIfNeeded(int status) {
    if (response.headWritten()) {
      return;
    }
    response.setStatusCode(status).setChunked(true);
    response.headers()
        .set(GoHttp.CONTENT_TYPE, GoHttp.APPLICATION_JSON)
        .set(GRPC_METADATA_CONTENT_TYPE, APPLICATION_GRPC);
  }
}
