package io.keyway.gateway.rpc;

import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmRequest;
import io.keyway.api.etcdserverpb.DefragmentRequest;
import io.keyway.api.etcdserverpb.HashKVRequest;
import io.keyway.api.etcdserverpb.HashRequest;
import io.keyway.api.etcdserverpb.SnapshotRequest;
import io.keyway.api.etcdserverpb.StatusRequest;
import io.keyway.api.etcdserverpb.StatusResponse;
import io.keyway.raft.EtcdMaintenance;
import java.util.concurrent.CompletionStage;

/**
 * The unary RPCs of etcd's Maintenance service besides Status (which {@link MemberStatus} answers): Hash,
 * HashKV, Defragment and Alarm. Status is wrapped so that its {@code errors} list the active alarms.
 * Snapshot is registered as a server stream ({@link SnapshotStreamer}).
 */
public final class MaintenanceRpcs {
  public static final String SERVICE = "etcdserverpb.Maintenance";
  public static final String SNAPSHOT = SERVICE + "/Snapshot";

  private MaintenanceRpcs() {}

  public static EtcdRpcs addTo(EtcdRpcs rpcs, EtcdMaintenance maintenance) {
    @SuppressWarnings("unchecked")
    UnaryRpc<StatusRequest, StatusResponse> status =
        (UnaryRpc<StatusRequest, StatusResponse>) rpcs.find(SERVICE + "/Status");
    if (status != null) {
      rpcs.add(new UnaryRpc<>(SERVICE, "Status", StatusRequest.getDefaultInstance(),
          request -> withAlarms(status.handler().apply(request), maintenance)));
    }
    return rpcs.withMaintenance(maintenance)
        .add(new UnaryRpc<>(SERVICE, "Hash", HashRequest.getDefaultInstance(), maintenance::hash))
        .add(new UnaryRpc<>(SERVICE, "HashKV", HashKVRequest.getDefaultInstance(), maintenance::hashKv))
        .add(new UnaryRpc<>(SERVICE, "Defragment", DefragmentRequest.getDefaultInstance(),
            maintenance::defragment))
        .add(new UnaryRpc<>(SERVICE, "Alarm", AlarmRequest.getDefaultInstance(), maintenance::alarm))
        .addStream(new ServerStreamRpc<>(SERVICE, "Snapshot", SnapshotRequest.getDefaultInstance(),
            new SnapshotStreamer(maintenance)));
  }

  /** etcd lists each alarm in Status' errors as its gogo text form, trailing space included. */
  private static CompletionStage<StatusResponse> withAlarms(CompletionStage<StatusResponse> status,
      EtcdMaintenance maintenance) {
    return status.thenApply(r -> {
      StatusResponse.Builder b = r.toBuilder();
      for (AlarmMember a : maintenance.activeAlarms()) {
        b.addErrors(alarmText(a));
      }
      return b.build();
    });
  }

  static String alarmText(AlarmMember a) {
    return "memberID:" + Long.toUnsignedString(a.getMemberID()) + " alarm:" + a.getAlarm().name() + " ";
  }
}
