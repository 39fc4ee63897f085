package io.keyway.gateway.metrics;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.gateway.EtcdVersion;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.MemberView;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's metrics in one registry, named as etcd names them where the meaning matches (see
 * {@code etcd_*} and {@code grpc_server_*} below), plus Keyway's own ({@code keyway_*}) and the JVM's.
 * Counters are lock-free adders, safe to bump from event loops and Raft threads; gauges that mirror the
 * member's state are read when scraped, so they cost nothing in between. No exemplars: Keyway has no traces to
 * link them to, and each data point would carry a sampler (~900 of them, plus a scheduler thread).
 */
public final class ServerMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
  private static final long KEY_COUNT_TIMEOUT_MS = 5000;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final MemberView view;

  final Counter mvccPut = counter("etcd_mvcc_put_total", "Total number of puts seen by this member.");
  final Counter mvccDelete = counter("etcd_mvcc_delete_total", "Total number of deletes seen by this member.");
  final Counter mvccRange = counter("etcd_mvcc_range_total", "Total number of ranges seen by this member.");
  final Counter mvccTxn = counter("etcd_mvcc_txn_total", "Total number of txns seen by this member.");
  final Counter leaseGranted = counter("etcd_debugging_lease_granted_total", "The total number of granted leases.");
  final Counter leaseRevoked = counter("etcd_debugging_lease_revoked_total", "The total number of revoked leases.");
  final Counter proposalsFailed = counter("etcd_server_proposals_failed_total",
      "The total number of failed proposals seen.");
  final Gauge proposalsPending = Gauge.builder().name("etcd_server_proposals_pending")
      .help("The current number of pending proposals to commit.").withoutExemplars().register(registry);
  private final Counter leaderChanges = counter("etcd_server_leader_changes_seen_total",
      "The number of leader changes seen.");
  private long lastLeader;
  private volatile boolean jvmMetricsRegistered;

  private ServerMetrics(MemberView view, EtcdKv kv, WatchHub watches) {
    this.view = view;
    gauge("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.",
        () -> view.leaderId() != 0 ? 1 : 0);
    gauge("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.",
        () -> view.leaderId() != 0 && view.leaderId() == view.memberId() ? 1 : 0);
    gauge("etcd_server_is_learner", "Whether or not this member is a learner. 1 if is, 0 otherwise.",
        () -> view.isLearner() ? 1 : 0);
    gauge("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.",
        view::raftIndex);
    gauge("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.",
        view::appliedIndex);
    gauge("etcd_mvcc_db_total_size_in_bytes",
        "Total size of the underlying database physically allocated in bytes.", view::dbSize);
    gauge("etcd_mvcc_db_total_size_in_use_in_bytes", "Total size of the underlying database logically in use in "
        + "bytes (Keyway: the store's size on disk, as Status reports it).", view::dbSize);
    gauge("etcd_debugging_mvcc_current_revision", "The current revision of store.", view::revision);
    if (kv != null) {
      GaugeWithCallback.builder().name("etcd_debugging_mvcc_keys_total").help("Total number of keys.")
          .callback(cb -> {
            Long keys = keyCount(kv);
            if (keys != null) { // no sample rather than a made-up one
              cb.call(keys);
            }
          }).register(registry);
    }
    if (watches != null) {
      gauge("etcd_debugging_mvcc_watcher_total", "Total number of watchers.", watches::watchers);
      gauge("etcd_debugging_mvcc_watch_stream_total", "Total number of watch streams.", watches::openSessions);
    }
    info("etcd_server_id", "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.",
        "server_id", Long.toHexString(view.memberId()));
    info("etcd_server_version", "Which version is running. 1 for 'server_version' label with current version.",
        "server_version", EtcdVersion.SERVER);
    info("etcd_cluster_version", "Which version is running. 1 for 'cluster_version' label with current cluster "
        + "version", "cluster_version", EtcdVersion.CLUSTER.substring(0, EtcdVersion.CLUSTER.lastIndexOf('.')));
    gauge("keyway_websocket_connections", "Open WebSocket connections (watch, lease keep-alive, server streams).",
        OpenWebSockets::current);
  }

  /**
   * @param kv counted for {@code etcd_debugging_mvcc_keys_total}; null leaves that gauge out
   * @param watches source of the watcher gauges; null leaves them out
   */
  public static ServerMetrics create(MemberView view, EtcdKv kv, WatchHub watches) {
    return new ServerMetrics(view, kv, watches);
  }

  /**
   * Counts a change to a leader other than the last one seen, as etcd does on each Raft ready (a member that
   * loses its leader and gets the same one back sees no change). Call periodically; cheap.
   */
  public void observeLeader() {
    long leader = view.leaderId();
    if (leader != 0 && leader != lastLeader) {
      lastLeader = leader;
      leaderChanges.inc();
    }
  }

  /** For the request metrics of the client listeners. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Writes every metric in Prometheus' text format (0.0.4). Reads the member's state: call off the event loop. */
  public void scrape(OutputStream out) throws IOException {
    if (!jvmMetricsRegistered) {
      registerJvmMetrics();
    }
    writer.write(out, registry.scrape());
  }

  /**
   * The JVM's metrics are registered when first scraped, not at start: they load ~200 classes (JMX, the
   * collectors) that an idle member that nobody scrapes would carry in its footprint.
   */
  private synchronized void registerJvmMetrics() {
    if (!jvmMetricsRegistered) {
      JvmMetrics.builder().register(registry);
      jvmMetricsRegistered = true;
    }
  }

  private Counter counter(String name, String help) {
    return Counter.builder().name(name).help(help).withoutExemplars().register(registry);
  }

  private void gauge(String name, String help, LongSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  private void info(String name, String help, String label, String value) {
    Gauge.builder().name(name).help(help).labelNames(label).withoutExemplars().register(registry).labelValues(value).set(1);
  }

  /** Live keys, from a serializable count-only range over the whole key space (a scrape is rare). */
  private static Long keyCount(EtcdKv kv) {
    ByteString zero = ByteString.copyFrom(new byte[] {0});
    try {
      return kv.range(RangeRequest.newBuilder().setKey(zero).setRangeEnd(zero).setCountOnly(true)
          .setSerializable(true).build()).get(KEY_COUNT_TIMEOUT_MS, TimeUnit.MILLISECONDS).getCount();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      LOG.debug("counting keys for etcd_debugging_mvcc_keys_total failed: {}", e.toString());
      return null;
    }
  }
}
