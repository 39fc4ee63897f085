package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One unary etcd RPC, independent of transport: the gRPC server and the HTTP/JSON gateway both dispatch to
 * the same instance, so both answer identically.
 *
 * @param service gRPC service name with its proto package, e.g. {@code etcdserverpb.KV}
 * @param method gRPC method name, e.g. {@code Range}
 * @param requestPrototype default instance of the request type, for decoders
 */
public record UnaryRpc<Req extends Message, Resp extends Message>(
    String service, String method, Req requestPrototype, Function<Req, CompletionStage<Resp>> handler) {

  /** {@code etcdserverpb.KV/Range}: the gRPC path without its leading slash. */
  public String fullName() {
    return service + "/" + method;
  }

  /** Runs the handler; a handler that throws instead of failing its stage still yields a failed stage. */
  @SuppressWarnings("unchecked")
  public CompletionStage<Resp> invoke(Message request) {
    try {
      CompletionStage<Resp> result = handler.apply((Req) request);
      return result != null ? result
          : CompletableFuture.failedFuture(new IllegalStateException(fullName() + " returned no result"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
