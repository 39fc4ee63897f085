package io.keyway.gateway.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.TimeUnit;

/** Unary gRPC calls that report status and status message, which Vert.x's generated clients hide. */
public final class GrpcProbe implements AutoCloseable {
  public record Reply<T>(GrpcStatus status, String message, T body) {}

  private final GrpcClient client;
  private final SocketAddress address;

  public GrpcProbe(Vertx vertx, int port) {
    this.client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(64L << 20),
        new HttpClientOptions().setHttp2ClearTextUpgrade(false));
    this.address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
  }

  public <Req, Resp> Reply<Resp> call(ServiceMethod<Resp, Req> method, Req request) {
    return call(method, request, java.util.Map.of());
  }

  /** A call with request metadata, e.g. etcd's {@code token}. */
  public <Req, Resp> Reply<Resp> call(ServiceMethod<Resp, Req> method, Req request,
      java.util.Map<String, String> metadata) {
    Object[] body = new Object[1];
    Future<Reply<Resp>> reply = client.request(address, method)
        .compose(req -> {
          metadata.forEach(req.headers()::set);
          return req.send(request);
        })
        .compose(resp -> {
          resp.handler(m -> body[0] = m);
          return resp.end().transform(ar -> {
            @SuppressWarnings("unchecked")
            Resp r = (Resp) body[0];
            return Future.succeededFuture(new Reply<>(resp.status(), resp.statusMessage(), r));
          });
        });
    return Await.result(reply, 20, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    Await.result(client.close(), 10, TimeUnit.SECONDS);
  }
}
