package io.keyway.it;

/**
 * Keyway and real etcd side by side, for tests that send both the same traffic: both started, or neither left
 * running when one fails to start.
 */
final class ServerPair implements AutoCloseable {
  final KeywayProcess keyway;
  final EtcdProcess etcd;

  private ServerPair(KeywayProcess keyway, EtcdProcess etcd) {
    this.keyway = keyway;
    this.etcd = etcd;
  }

  /** @param name the servers' member names are {@code name} and {@code name}-oracle */
  static ServerPair start(String name) {
    return start(name, new String[0]);
  }

  /** @param etcdFlags extra flags for the oracle only (e.g. {@code --enable-v2}) */
  static ServerPair start(String name, String... etcdFlags) {
    ServerPair pair = new ServerPair(new KeywayProcess(name), new EtcdProcess(name + "-oracle", etcdFlags));
    try {
      pair.keyway.start();
      pair.etcd.start();
    } catch (RuntimeException | Error e) {
      pair.close();
      throw e;
    }
    return pair;
  }

  /** null-safe: for an {@code @AfterAll} whose {@code @BeforeAll} may not have got that far. */
  static void close(ServerPair pair) {
    if (pair != null) {
      pair.close();
    }
  }

  @Override
  public void close() {
    keyway.close();
    etcd.close();
  }
}
