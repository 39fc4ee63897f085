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

  /**
   * @param name the servers' member names are {@code name} and {@code name}-oracle
   * @param flags etcd flags both servers get
   */
  static ServerPair start(String name, String... flags) {
    ServerPair pair = new ServerPair(new KeywayProcess(name, flags), new EtcdProcess(name + "-oracle", flags));
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
