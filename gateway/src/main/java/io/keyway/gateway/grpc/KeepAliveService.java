package io.keyway.gateway.grpc;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.keyway.api.etcdserverpb.LeaseKeepAliveRequest;
import io.keyway.api.etcdserverpb.RpcProto;
import io.keyway.raft.EtcdLease;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;

/** The streaming half of etcd's Lease service: binds LeaseKeepAlive (the unary methods come from EtcdRpcs). */
public final class KeepAliveService implements Service {
  private static final ServiceName NAME = ServiceName.create("etcdserverpb", "Lease");

  private final java.util.function.Function<String, EtcdLease> leaseForToken;
  private final long maxMessageSize;

  public KeepAliveService(EtcdLease lease, long maxMessageSize) {
    this(token -> lease, maxMessageSize);
  }

  /** @param leaseForToken the Lease service acting for the caller behind a token (auth) */
  public KeepAliveService(java.util.function.Function<String, EtcdLease> leaseForToken, long maxMessageSize) {
    this.leaseForToken = leaseForToken;
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  public ServiceName name() {
    return NAME;
  }

  @Override
  public ServiceDescriptor descriptor() {
    return RpcProto.getDescriptor().findServiceByName("Lease");
  }

  @Override
  public void bind(GrpcServer server) {
    server.callHandler(
        ServiceMethod.server(NAME, "LeaseKeepAlive", GrpcMessageEncoder.encoder(),
            new RequestDecoder(LeaseKeepAliveRequest.getDefaultInstance())),
        new LeaseKeepAliveCall(leaseForToken, maxMessageSize));
  }
}
