package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import java.util.function.BiFunction;

/**
 * One server-streaming etcd RPC (one request, a stream of responses), independent of transport, like
 * {@link UnaryRpc}: the gRPC server and the HTTP/JSON gateway's chunked stream run the same instance.
 *
 * @param handler starts the stream and returns what stops it when the client goes away first (for a stream
 *     served as a client: with the member's own, unchecked client)
 * @param clientHandler null, or how the stream is served as a client of the member ({@link #asClient})
 */
public record ServerStreamRpc<Req extends Message, Resp extends Message>(
    String service, String method, Req requestPrototype, BiFunction<Req, StreamSink<Resp>, Runnable> handler,
    ClientStream<Req, Resp> clientHandler) {

  /** Starts a stream served as a client of the member, with {@code client}'s services. */
  @FunctionalInterface
  public interface ClientStream<Req, Resp> {
    Runnable start(MemberClient client, Req request, StreamSink<Resp> sink);
  }

  public ServerStreamRpc(String service, String method, Req requestPrototype,
      BiFunction<Req, StreamSink<Resp>, Runnable> handler) {
    this(service, method, requestPrototype, handler, null);
  }

  /**
   * A stream served by running KV requests and watches as a client of the member (etcd's Election.Observe):
   * with a gate, with the caller's client.
   *
   * @param self the member's own client, for when no gate decides who calls
   */
  public static <Req extends Message, Resp extends Message> ServerStreamRpc<Req, Resp> asClient(String service,
      String method, Req requestPrototype, ClientStream<Req, Resp> handler, MemberClient self) {
    return new ServerStreamRpc<>(service, method, requestPrototype,
        (request, sink) -> handler.start(self, request, sink), handler);
  }

  public String fullName() {
    return service + "/" + method;
  }

  /** True when the stream is served as a client of the member ({@link #asClient}). */
  public boolean actsAsClient() {
    return clientHandler != null;
  }

  /** Starts the stream; a handler that throws fails the sink instead. Returns the stopper (never null). */
  @SuppressWarnings("unchecked")
  public Runnable start(Message request, StreamSink<? super Resp> sink) {
    return run(() -> handler.apply((Req) request, (StreamSink<Resp>) sink), sink);
  }

  /** Starts a stream served as a client with {@code client}'s services ({@link #start} for any other stream). */
  @SuppressWarnings("unchecked")
  public Runnable startAs(MemberClient client, Message request, StreamSink<? super Resp> sink) {
    return clientHandler == null ? start(request, sink)
        : run(() -> clientHandler.start(client, (Req) request, (StreamSink<Resp>) sink), sink);
  }

  private static Runnable run(java.util.function.Supplier<Runnable> start, StreamSink<?> sink) {
    try {
      Runnable stop = start.get();
      return stop != null ? stop : () -> { };
    } catch (RuntimeException e) {
      sink.fail(e);
      return () -> { };
    }
  }
}
