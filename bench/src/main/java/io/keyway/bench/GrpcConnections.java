package io.keyway.bench;

import io.keyway.api.etcdserverpb.KVGrpcClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's benchmark tool style: a few HTTP/2 connections, each carrying many concurrent clients' streams. Each
 * connection is its own pool of size one, so the spread over connections is exactly {@code lane % conns}.
 */
final class GrpcConnections implements AutoCloseable {
  final SocketAddress address;
  private final List<HttpClientAgent> http = new ArrayList<>();
  private final List<GrpcClient> grpc = new ArrayList<>();
  private final List<KVGrpcClient> kv = new ArrayList<>();

  GrpcConnections(Vertx vertx, int port, int connections) {
    this.address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    for (int i = 0; i < connections; i++) {
      HttpClientAgent h = vertx.createHttpClient(
          new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
              .setTcpNoDelay(true).setConnectTimeout(10_000),
          new PoolOptions().setHttp2MaxSize(1));
      GrpcClient g = GrpcClient.client(vertx, h);
      http.add(h);
      grpc.add(g);
      kv.add(KVGrpcClient.create(g, address));
    }
  }

  KVGrpcClient kv(int lane) {
    return kv.get(lane % kv.size());
  }

  GrpcClient grpc(int lane) {
    return grpc.get(lane % grpc.size());
  }

  @Override
  public void close() {
    grpc.forEach(GrpcClient::close);
    http.forEach(HttpClientAgent::close);
  }
}
