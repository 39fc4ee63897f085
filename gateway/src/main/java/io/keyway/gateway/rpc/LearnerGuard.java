package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.StatusRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * etcd's learner interceptor: a learner serves Maintenance.Status and serializable Range only; everything else
 * fails with {@code etcdserver: rpc not supported for learner}.
 */
final class LearnerGuard {
  private LearnerGuard() {}

  static boolean supportedForLearner(Message request) {
    if (request instanceof StatusRequest) {
      return true;
    }
    return request instanceof RangeRequest r && r.getSerializable();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static UnaryRpc<?, ?> wrap(UnaryRpc<?, ?> rpc, BooleanSupplier learner) {
    UnaryRpc raw = rpc;
    return new UnaryRpc(rpc.service(), rpc.method(), rpc.requestPrototype(), request -> {
      if (learner.getAsBoolean() && !supportedForLearner((Message) request)) {
        return CompletableFuture.failedFuture(EtcdError.NOT_SUPPORTED_FOR_LEARNER.exception());
      }
      return raw.handler().apply(request);
    });
  }
}
