package io.keyway.it;

/** The cache's fault scenarios ({@link CacheClusterScenarios}) on a 3-member cluster of real etcd, the oracle. */
class KeyspaceCacheEtcdClusterIT extends CacheClusterScenarios {

  @Override
  ProcessCluster startCluster() {
    return ProcessCluster.startEtcd("kce", 3);
  }
}
