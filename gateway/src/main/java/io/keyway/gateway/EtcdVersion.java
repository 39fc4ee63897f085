package io.keyway.gateway;

/**
 * The etcd release Keyway presents itself as. Clients and tools branch on these strings (etcdctl prints
 * them, operators compare them), so /version and Maintenance.Status must report the same values.
 */
public final class EtcdVersion {
  private EtcdVersion() {}

  /** The etcd server version whose API and behaviour Keyway follows. */
  public static final String SERVER = "3.5.17";

  /** etcd reports the cluster version as major.minor.0. */
  public static final String CLUSTER = "3.5.0";

  /** Keyway's own build version, from the jar manifest when packaged. */
  public static String keyway() {
    String v = EtcdVersion.class.getPackage().getImplementationVersion();
    return v != null ? v : "dev";
  }
}
