package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.StatusRequest;

/**
 * What a learner serves, as etcd's interceptors decide (3.4 and 3.5 alike): of the unary RPCs only
 * Maintenance.Status and serializable Range, of the streams only Maintenance.Snapshot. {@link EtcdRpcs} is the
 * one place that applies it.
 */
final class LearnerGuard {
  static final String SNAPSHOT = "etcdserverpb.Maintenance/Snapshot";

  private LearnerGuard() {}

  static boolean servesUnary(Message request) {
    if (request instanceof StatusRequest) {
      return true;
    }
    return request instanceof RangeRequest r && r.getSerializable();
  }

  static boolean servesStream(String fullName) {
    return SNAPSHOT.equals(fullName);
  }
}
