package io.keyway.raft.maintenance;

import io.keyway.api.etcdserverpb.ResponseHeader;
import java.nio.file.Path;

/**
 * A store snapshot in etcd's bbolt format ({@link EtcdSnapshotExport}), waiting to be streamed.
 *
 * @param header the member's header at the time the copy was taken (its revision is the snapshot's)
 */
public record SnapshotFile(Path file, long size, ResponseHeader header) {}
