package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One unary etcd RPC, independent of transport: the gRPC server and the HTTP/JSON gateway both dispatch to
 * the same instance, so both answer identically.
 *
 * @param service gRPC service name with its proto package, e.g. {@code etcdserverpb.KV}
 * @param method gRPC method name, e.g. {@code Range}
 * @param requestPrototype default instance of the request type, for decoders
 * @param handler serves the request (for an RPC served as a client: with the member's own, unchecked client)
 * @param clientHandler null, or how the RPC is served as a client of the member ({@link #asClient})
 */
public record UnaryRpc<Req extends Message, Resp extends Message>(
    String service, String method, Req requestPrototype, Function<Req, CompletionStage<Resp>> handler,
    BiFunction<MemberClient, Req, CompletionStage<Resp>> clientHandler) {

  public UnaryRpc(String service, String method, Req requestPrototype, Function<Req, CompletionStage<Resp>> handler) {
    this(service, method, requestPrototype, handler, null);
  }

  /**
   * An RPC that is served by running KV and Lease requests as a client of the member (etcd's Lock and
   * Election): with a gate, each runs with the caller's client, so it may do exactly what the caller may do.
   *
   * @param self the member's own client, for when no gate decides who calls
   */
  public static <Req extends Message, Resp extends Message> UnaryRpc<Req, Resp> asClient(String service,
      String method, Req requestPrototype, BiFunction<MemberClient, Req, CompletionStage<Resp>> handler,
      MemberClient self) {
    return new UnaryRpc<>(service, method, requestPrototype, request -> handler.apply(self, request), handler);
  }

  /** {@code etcdserverpb.KV/Range}: the gRPC path without its leading slash. */
  public String fullName() {
    return service + "/" + method;
  }

  /** True when the RPC is served as a client of the member ({@link #asClient}). */
  public boolean actsAsClient() {
    return clientHandler != null;
  }

  /** Runs the handler; a handler that throws instead of failing its stage still yields a failed stage. */
  @SuppressWarnings("unchecked")
  public CompletionStage<Resp> invoke(Message request) {
    return run(() -> handler.apply((Req) request));
  }

  /** Runs an RPC served as a client with {@code client}'s services ({@link #invoke} for any other RPC). */
  @SuppressWarnings("unchecked")
  public CompletionStage<Resp> invokeAs(MemberClient client, Message request) {
    return clientHandler == null ? invoke(request) : run(() -> clientHandler.apply(client, (Req) request));
  }

  private CompletionStage<Resp> run(java.util.function.Supplier<CompletionStage<Resp>> call) {
    try {
      CompletionStage<Resp> result = call.get();
      return result != null ? result
          : CompletableFuture.failedFuture(new IllegalStateException(fullName() + " returned no result"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
