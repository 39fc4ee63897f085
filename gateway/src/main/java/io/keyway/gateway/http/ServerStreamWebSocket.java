package io.keyway.gateway.http;

import com.google.protobuf.Message;
import io.keyway.api.GrpcCode;
import io.keyway.gateway.json.JsonCodec;
import io.keyway.gateway.json.JsonDecodeException;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.gateway.rpc.ServerStreamRpc;
import io.keyway.gateway.rpc.StreamSink;
import io.vertx.core.Context;

/**
 * A server-streaming RPC (Election/Observe, Maintenance/Snapshot) over a WebSocket, as etcd's
 * grpc-websocket-proxy serves one (etcd-api.md §3.2): the first message is the request, each response goes
 * out as a text message {@code {"result":{...}}}. A normal end of the stream closes the socket with 1000; a
 * failure sends the gateway's error body and closes with 1011 (etcd's proxy drops the TCP connection). A bad
 * request is answered with the error body and the socket waits for a good one; messages after the request
 * are ignored.
 */
final class ServerStreamWebSocket {
  private static final short NORMAL = 1000;

  private final ServerStreamRpc<?, ?> rpc;
  private final Context context;
  private final JsonWebSocket ws;
  /** Stops the running stream; null before it started. Touched only on {@link #context}. */
  private Runnable stop;
  private boolean stopped;

  ServerStreamWebSocket(ServerStreamRpc<?, ?> rpc, Context context, JsonWebSocket ws) {
    this.rpc = rpc;
    this.context = context;
    this.ws = ws;
  }

  void start() {
    ws.start(this::onMessage, () -> {
      stopped = true;
      if (stop != null) {
        stop.run();
      }
    });
  }

  private void onMessage(byte[] bytes) {
    if (stop != null || stopped) {
      return;
    }
    Message request;
    try {
      request = JsonCodec.merge(bytes, rpc.requestPrototype().newBuilderForType()).build();
    } catch (JsonDecodeException e) {
      ws.writeError(GrpcCode.INVALID_ARGUMENT, e.getMessage());
      return;
    }
    stop = rpc.start(request, new Sink());
  }

  private final class Sink implements StreamSink<Message> {
    @Override
    public void next(Message message) {
      String json = JsonCodec.print(message);
      context.runOnContext(v -> {
        if (!stopped) {
          ws.writeResult(json);
        }
      });
    }

    @Override
    public void end() {
      context.runOnContext(v -> ws.close(NORMAL, ""));
    }

    @Override
    public void fail(Throwable failure) {
      RpcFailure f = RpcFailure.of(failure);
      context.runOnContext(v -> {
        ws.writeError(f.code(), f.message());
        ws.close(JsonWebSocket.INTERNAL_ERROR, "");
      });
    }
  }
}
