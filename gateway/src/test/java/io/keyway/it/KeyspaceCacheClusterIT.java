package io.keyway.it;

/** The cache's fault scenarios ({@link CacheClusterScenarios}) on a 3-member Keyway cluster. */
class KeyspaceCacheClusterIT extends CacheClusterScenarios {

  @Override
  ProcessCluster startCluster() {
    return ProcessCluster.start("kcc", 3);
  }
}
