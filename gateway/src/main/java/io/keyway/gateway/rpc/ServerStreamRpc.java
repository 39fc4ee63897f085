package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import java.util.function.BiFunction;

/**
 * One server-streaming etcd RPC (one request, a stream of responses), independent of transport, like
 * {@link UnaryRpc}: the gRPC server and the HTTP/JSON gateway's chunked stream run the same instance.
 *
 * @param handler starts the stream and returns what stops it when the client goes away first
 */
public record ServerStreamRpc<Req extends Message, Resp extends Message>(
    String service, String method, Req requestPrototype, BiFunction<Req, StreamSink<Resp>, Runnable> handler) {

  public String fullName() {
    return service + "/" + method;
  }

  /** Starts the stream; a handler that throws fails the sink instead. Returns the stopper (never null). */
  @SuppressWarnings("unchecked")
  public Runnable start(Message request, StreamSink<? super Resp> sink) {
    try {
      Runnable stop = handler.apply((Req) request, (StreamSink<Resp>) sink);
      return stop != null ? stop : () -> { };
    } catch (RuntimeException e) {
      sink.fail(e);
      return () -> { };
    }
  }
}
