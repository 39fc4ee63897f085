package io.keyway.gateway.grpc;

import com.google.protobuf.Message;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.ServerStreamRpc;
import io.keyway.gateway.rpc.UnaryRpc;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.Service;
import java.util.List;

/** Builds the gRPC side of a client listener: every registered RPC, streaming services, and the fallback. */
public final class GrpcServices {
  private GrpcServices() {}

  /**
   * @param maxMessageSize largest request accepted, etcd's {@code --max-request-bytes} + 512 KiB
   * @param streaming extra services with their own bindings (Watch, LeaseKeepAlive, ...)
   */
  public static GrpcServer create(Vertx vertx, EtcdRpcs rpcs, long maxMessageSize, List<Service> streaming) {
    GrpcServerOptions options = new GrpcServerOptions()
        .setMaxMessageSize(maxMessageSize)
        .setScheduleDeadlineAutomatically(true)
        .removeEnabledProtocol(GrpcProtocol.TRANSCODING);
    GrpcServer server = GrpcServer.server(vertx, options);
    for (UnaryRpc<?, ?> rpc : rpcs.all()) {
      server.callHandler(serviceMethod(rpc), new UnaryCall(rpcs, rpc, maxMessageSize));
    }
    for (ServerStreamRpc<?, ?> rpc : rpcs.streams()) {
      server.callHandler(serviceMethod(rpc.service(), rpc.method(), rpc.requestPrototype()),
          new ServerStreamCall(rpcs, rpc, maxMessageSize));
    }
    for (Service service : streaming) {
      server.addService(service);
    }
    server.callHandler(new UnimplementedCall());
    return server;
  }

  private static ServiceMethod<Object, Message> serviceMethod(UnaryRpc<?, ?> rpc) {
    return serviceMethod(rpc.service(), rpc.method(), rpc.requestPrototype());
  }

  private static ServiceMethod<Object, Message> serviceMethod(String service, String method, Message prototype) {
    int dot = service.lastIndexOf('.');
    ServiceName name = ServiceName.create(service.substring(0, dot), service.substring(dot + 1));
    return ServiceMethod.server(name, method, GrpcMessageEncoder.encoder(), new RequestDecoder(prototype));
  }
}
