package io.keyway.store.lease;

import io.keyway.api.etcdserverpb.LeaseCheckpoint;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Replicates lease checkpoints (etcd's {@code lease.Checkpointer}): proposes them through Raft and completes once
 * they are applied, or fails (e.g. with NOT_LEADER) when they cannot be. Installing one on the lessor is what
 * enables checkpointing on this member.
 */
@FunctionalInterface
public interface Checkpointer {
  CompletableFuture<?> checkpoint(List<LeaseCheckpoint> checkpoints);
}
