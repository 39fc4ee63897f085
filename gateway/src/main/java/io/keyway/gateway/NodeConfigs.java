package io.keyway.gateway;

import io.keyway.gateway.config.ServerConfig;
import io.keyway.raft.NodeConfig;
import java.net.URI;
import java.util.List;

/** Translates the command line's settings into the Raft member's start-up configuration. */
final class NodeConfigs {
  private NodeConfigs() {}

  static NodeConfig from(ServerConfig c) {
    return NodeConfig.builder()
        .name(c.name())
        .dataDir(c.dataDir())
        .listenPeerUrls(strings(c.listenPeerUrls()))
        .initialAdvertisePeerUrls(strings(c.initialAdvertisePeerUrls()))
        .advertiseClientUrls(strings(c.advertiseClientUrls()))
        .initialCluster(c.initialCluster())
        .initialClusterState(c.initialClusterState())
        .initialClusterToken(c.initialClusterToken())
        .heartbeatIntervalMs(c.heartbeatIntervalMs())
        .electionTimeoutMs(c.electionTimeoutMs())
        .maxRequestBytes(c.maxRequestBytes())
        .maxTxnOps(c.maxTxnOps())
        .snapshotCount(c.snapshotCount())
        .leaseCheckpoint(c.leaseCheckpoint())
        .leaseCheckpointPersist(c.leaseCheckpointPersist())
        .leaseCheckpointIntervalMs(c.leaseCheckpointInterval().toMillis())
        .quotaBackendBytes(c.maintenance().quotaBackendBytes())
        .autoCompaction(c.maintenance().autoCompactionMode(), c.maintenance().autoCompactionRetention())
        .authToken(c.auth().tokenSpec()).authTokenTtlSeconds(c.auth().tokenTtlSeconds())
        .bcryptCost(c.auth().bcryptCost())
        .maxLearners(c.maxLearners())
        .peerTls(PeerTlsSetup.resolve(c))
        .build();
  }

  static List<String> strings(List<URI> urls) {
    return urls.stream().map(URI::toString).toList();
  }
}
