package io.keyway.raft;

import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmRequest;
import io.keyway.api.etcdserverpb.AlarmResponse;
import io.keyway.api.etcdserverpb.DefragmentRequest;
import io.keyway.api.etcdserverpb.DefragmentResponse;
import io.keyway.api.etcdserverpb.HashKVRequest;
import io.keyway.api.etcdserverpb.HashKVResponse;
import io.keyway.api.etcdserverpb.HashRequest;
import io.keyway.api.etcdserverpb.HashResponse;
import io.keyway.raft.maintenance.SnapshotFile;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Maintenance service as the member offers it to the transports (Status lives with {@link MemberView}).
 * Hashes, defragmentation and snapshots are local to this member and run on a maintenance thread, never on
 * the caller's; alarm changes go through the Raft log. Failures are {@link io.keyway.api.EtcdException}s.
 */
public interface EtcdMaintenance {
  CompletableFuture<HashResponse> hash(HashRequest request);

  CompletableFuture<HashKVResponse> hashKv(HashKVRequest request);

  /** Answers an empty response (no header), as etcd does. */
  CompletableFuture<DefragmentResponse> defragment(DefragmentRequest request);

  CompletableFuture<AlarmResponse> alarm(AlarmRequest request);

  /** The alarms active in this member's copy of the replicated table (for Status and /health). */
  List<AlarmMember> activeAlarms();

  /** A consistent copy of the store packed into one file; the caller streams and then deletes it. */
  CompletableFuture<SnapshotFile> snapshot();
}
