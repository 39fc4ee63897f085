package io.keyway.it;

/** Starts the server a suite drives: Keyway, or etcd when {@code -Dkeyway.it.target=etcd} checks the oracle. */
final class ServerUnderTest {

  private ServerUnderTest() {}

  static ServerProcess start(String memberName, String... extraFlags) {
    ServerProcess server = ItEnvironment.targetIsEtcd()
        ? new EtcdProcess(memberName, extraFlags)
        : new KeywayProcess(memberName, extraFlags);
    try {
      return server.start();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** Like {@link #start(String, String...)} with the client URL on {@code https://} (TLS flags in extraFlags). */
  static ServerProcess startTls(String memberName, String... extraFlags) {
    ServerProcess server = ItEnvironment.targetIsEtcd()
        ? new EtcdProcess(memberName, true, extraFlags)
        : new KeywayProcess(memberName, true, extraFlags);
    try {
      return server.start();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** True when the suite runs against Debian's etcd 3.4.23, whose documented differences some assertions allow. */
  static boolean isEtcd34(ServerProcess server) {
    return server instanceof EtcdProcess;
  }
}
