package io.keyway.gateway.grpc;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.RpcProto;
import io.keyway.api.v3electionpb.V3ElectionProto;
import io.keyway.api.v3lockpb.V3LockProto;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers every gRPC method nobody registered, with grpc-go's texts: a method of an etcd service this
 * build does not implement yet gets "method X not implemented" (what grpc-go's generated Unimplemented
 * servers say); anything else "unknown service" / "unknown method".
 */
final class UnimplementedCall implements Handler<GrpcServerRequest<Buffer, Buffer>> {
  private static final Map<String, Set<String>> ETCD_METHODS = etcdMethods();

  @Override
  public void handle(GrpcServerRequest<Buffer, Buffer> request) {
    UnaryCall.fail(request.response(), GrpcCode.UNIMPLEMENTED, message(request.serviceName() == null
        ? null : request.serviceName().fullyQualifiedName(), request.methodName()));
  }

  static String message(String service, String method) {
    Set<String> methods = service == null ? null : ETCD_METHODS.get(service);
    if (methods == null) {
      return "unknown service " + service;
    }
    if (!methods.contains(method)) {
      return "unknown method " + method + " for service " + service;
    }
    return "method " + method + " not implemented";
  }

  private static Map<String, Set<String>> etcdMethods() {
    Map<String, Set<String>> all = new HashMap<>();
    for (FileDescriptor file : List.of(RpcProto.getDescriptor(), V3LockProto.getDescriptor(),
        V3ElectionProto.getDescriptor())) {
      for (ServiceDescriptor service : file.getServices()) {
        Set<String> names = new HashSet<>();
        for (MethodDescriptor m : service.getMethods()) {
          names.add(m.getName());
        }
        all.put(service.getFullName(), names);
      }
    }
    return all;
  }
}
