package io.keyway.gateway.watch;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.etcdserverpb.RpcProto;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;

/** etcd's {@code etcdserverpb.Watch} gRPC service: its one method, the bidirectional Watch stream. */
final class WatchGrpcService implements Service {
  private static final ServiceName NAME = ServiceName.create("etcdserverpb", "Watch");

  /** A request that could not be decoded; grpc-go ends the stream with Internal and this reason. */
  record Undecodable(String reason) {}

  private final WatchHub hub;

  WatchGrpcService(WatchHub hub) {
    this.hub = hub;
  }

  @Override
  public ServiceName name() {
    return NAME;
  }

  @Override
  public ServiceDescriptor descriptor() {
    return RpcProto.getDescriptor().findServiceByName("Watch");
  }

  @Override
  public void bind(GrpcServer server) {
    ServiceMethod<Object, WatchResponse> watch =
        ServiceMethod.server(NAME, "Watch", GrpcMessageEncoder.encoder(), new Decoder());
    server.callHandler(watch, request -> new GrpcWatchCall(hub, request).start());
  }

  /** Never throws: Vert.x would cancel the stream without a status, where grpc-go answers Internal. */
  private static final class Decoder implements GrpcMessageDecoder<Object> {
    @Override
    public Object decode(GrpcMessage message) {
      try {
        if (message.format() == WireFormat.JSON) {
          return new Undecodable("JSON requests are not supported");
        }
        return WatchRequest.parseFrom(message.payload().getBytes());
      } catch (InvalidProtocolBufferException e) {
        return new Undecodable("proto: cannot parse invalid wire-format data");
      }
    }

    @Override
    public boolean accepts(WireFormat format) {
      return true;
    }
  }
}
