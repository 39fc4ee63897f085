package io.keyway.it;

import java.util.List;

/** The oracle: Debian's /usr/bin/etcd (3.4.23) with the same flags Keyway gets. */
final class EtcdProcess extends ServerProcess {

  EtcdProcess(String memberName, String... extraFlags) {
    super(memberName, List.of(extraFlags));
    ItEnvironment.requireExecutable(ItEnvironment.ETCD_BINARY, "etcd-server");
  }

  /** @param tls serve clients on an {@code https://} URL (give the TLS flags in {@code extraFlags}) */
  EtcdProcess(String memberName, boolean tls, String... extraFlags) {
    super(memberName, tls, List.of(extraFlags));
    ItEnvironment.requireExecutable(ItEnvironment.ETCD_BINARY, "etcd-server");
  }

  @Override
  String kind() {
    return "etcd";
  }

  @Override
  protected List<String> launcher() {
    return List.of(ItEnvironment.ETCD_BINARY);
  }

  @Override
  protected boolean survivesThreadDump() {
    return false;
  }
}
