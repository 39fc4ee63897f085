package io.keyway.gateway;

import io.keyway.gateway.auth.AuthGate;
import io.keyway.gateway.auth.AuthRpcs;
import io.keyway.gateway.concurrency.ConcurrencyRpcs;
import io.keyway.gateway.config.ServerConfig;
import io.keyway.gateway.config.ClientTls;
import io.keyway.gateway.http.ClientVerticle;
import io.keyway.gateway.rpc.ClusterRpcs;
import io.keyway.gateway.http.MetricsListener;
import io.keyway.gateway.http.RequestMetrics;
import io.keyway.gateway.metrics.RpcMetrics;
import io.keyway.gateway.metrics.ServerMetrics;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.LeaseRpcs;
import io.keyway.gateway.rpc.MaintenanceRpcs;
import io.keyway.gateway.rpc.MemberClient;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.gateway.v2.V2Api;
import io.keyway.gateway.v2.V2Watches;
import java.util.function.LongSupplier;
import io.keyway.gateway.watch.WatchSettings;
import io.keyway.raft.EtcdCluster;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;
import io.keyway.raft.EtcdMaintenance;
import io.keyway.raft.KeywayNode;
import io.keyway.raft.MemberView;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Keyway member: the replicated node plus the client listeners in front of it. Stopping closes
 * the listeners first (in-flight requests may finish), then the node.
 */
public final class KeywayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeywayServer.class);
  private static final long STEP_TIMEOUT_SECONDS = 30;
  /** How long a stopping server waits for its watch streams to be ended (close frames, final chunks). */
  private static final long WATCH_END_SECONDS = 3;
  /** How often the leader is compared with the last one seen (etcd_server_leader_changes_seen_total). */
  private static final long LEADER_POLL_MS = 100;

  private final Vertx vertx;
  private final String deploymentId;
  private final AutoCloseable node;
  private final WatchHub watches;
  private final V2Watches v2Watches;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KeywayServer(Vertx vertx, String deploymentId, AutoCloseable node, WatchHub watches,
      V2Watches v2Watches) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.node = node;
    this.watches = watches;
    this.v2Watches = v2Watches;
  }

  /**
   * Opens the member from {@code config} and serves clients on its listen URLs while its Raft node starts: a
   * restarted member answers serializable reads from its store, and everything else as a member without a
   * leader would, as soon as its listeners are up instead of after Raft's start.
   */
  public static KeywayServer start(ServerConfig config) throws Exception {
    // cold start: Vert.x (its threads, Netty, their classes) comes up on another core while the member opens
    // its store and starts Raft, instead of after them
    CompletableFuture<Vertx> early = CompletableFuture.supplyAsync(KeywayServer::newVertx);
    KeywayNode node;
    try {
      node = KeywayNode.open(NodeConfigs.from(config));
    } catch (Exception | Error e) {
      early.thenAccept(Vertx::close);
      throw e;
    }
    CompletableFuture<Void> raft = CompletableFuture.runAsync(() -> {
      try {
        node.startRaft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, task -> new Thread(task, "keyway-raft-start").start()); // not the common pool: Vert.x starts there
    WatchHub watches = null;
    KeywayServer server;
    try {
      node.setClientUrls(NodeConfigs.strings(config.advertiseClientUrls()));
      watches = WatchHub.open(node.store(), node, new WatchSettings(config.maxRequestBytes(),
          config.watchProgressNotifyInterval(), config.wsPingInterval(), config.wsMaxWatchers()));
      server = serve(config, node, node, watches, node, node, early.join());
    } catch (Exception | Error e) {
      if (watches != null) {
        watches.close();
      }
      early.thenAccept(Vertx::close);
      awaitQuietly(raft); // never stop a Raft node while it is being started
      node.close();
      throw e;
    }
    try {
      raft.join();
    } catch (CompletionException e) {
      server.close();
      Throwable cause = e.getCause() instanceof UncheckedIOException io ? io.getCause() : e.getCause();
      if (cause instanceof Exception failure) {
        throw failure;
      }
      throw e;
    }
    return server;
  }

  private static void awaitQuietly(CompletableFuture<?> future) {
    try {
      future.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      // reported by whoever started it
    }
  }

  private static Vertx newVertx() {
    return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops()));
  }

  private static int eventLoops() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /** Serves clients in front of an already running member that has no Lease service. */
  public static KeywayServer serve(ServerConfig config, EtcdKv kv, MemberView view, AutoCloseable node)
      throws Exception {
    return serve(config, kv, null, view, node);
  }

  /**
   * Serves clients in front of an already running member.
   *
   * @param lease null when the member serves no leases (its RPCs then answer Unimplemented)
   * @param node closed when the server stops
   */
  public static KeywayServer serve(ServerConfig config, EtcdKv kv, EtcdLease lease, MemberView view,
      AutoCloseable node) throws Exception {
    return serve(config, kv, lease, null, view, node);
  }

  /**
   * Serves clients in front of an already running member.
   *
   * @param lease null when the member serves no leases (its RPCs then answer Unimplemented)
   * @param watches null when the member serves no watches; closed (after the listeners) when the server stops
   * @param node closed when the server stops
   */
  public static KeywayServer serve(ServerConfig config, EtcdKv kv, EtcdLease lease, WatchHub watches,
      MemberView view, AutoCloseable node) throws Exception {
    return serve(config, kv, lease, watches, view, node, newVertx());
  }

  private static KeywayServer serve(ServerConfig config, EtcdKv kv, EtcdLease lease, WatchHub watches,
      MemberView view, AutoCloseable node, Vertx vertx) throws Exception {
    int loops = eventLoops();
    V2Watches v2Watches = null;
    try {
      EtcdRpcs rpcs = EtcdRpcs.create(kv, view, NodeConfigs.strings(config.advertiseClientUrls()));
      if (lease != null) {
        LeaseRpcs.addTo(rpcs, lease);
      }
      if (view instanceof EtcdMaintenance maintenance) { // a full member offers Maintenance too
        MaintenanceRpcs.addTo(rpcs, maintenance);
      }
      if (view instanceof EtcdCluster cluster) {
        ClusterRpcs.addTo(rpcs, cluster);
      }
      if (lease != null && watches != null) {
        ConcurrencyRpcs.addTo(rpcs, new MemberClient(kv, lease), watches);
      }
      if (watches != null) {
        watches.setOpenCheck(() -> rpcs.refuseStream(EtcdRpcs.WATCH));
      }
      ServerMetrics metrics = ServerMetrics.create(view, kv, watches);
      RpcMetrics.instrument(rpcs, metrics);
      vertx.setPeriodic(LEADER_POLL_MS, id -> metrics.observeLeader());
      ClientTls tls = ClientTlsSetup.resolve(config);
      if (kv instanceof KeywayNode member && member.auth() != null) {
        AuthGate gate = new AuthGate(member.auth(), member::as, member::leasesAs);
        AuthRpcs.addTo(rpcs, gate);
        if (watches != null) {
          watches.setGuard(gate::refuseWatch);
        }
      }
      if (watches != null) {
        // v2 keys live in the v3 keyspace; their long-polls are parked on one watch of it
        LongSupplier compacted = node instanceof KeywayNode member ? member.store()::compactRevision : () -> 0;
        v2Watches = V2Watches.start(watches, view.revision(), compacted, kv, view);
      }
      V2Api v2 = v2Watches == null ? null : new V2Api(rpcs, view, v2Watches, config.maxRequestBytes());
      ClientVerticle.Setup setup = new ClientVerticle.Setup(config.listenClientUrls(), rpcs, kv, lease, watches,
          view, config.maxGrpcMessageBytes(), config.requestTimeoutMs(), tls, new RequestMetrics(metrics), v2,
          config.enableUi());
      String id = await(vertx.deployVerticle(() -> new ClientVerticle(setup),
          new DeploymentOptions().setInstances(loops)));
      if (!config.listenMetricsUrls().isEmpty()) {
        await(MetricsListener.start(vertx, config.listenMetricsUrls(), metrics, kv, view, rpcs,
            config.requestTimeoutMs(), tls));
        for (URI url : config.listenMetricsUrls()) {
          LOG.info("serving metrics and health on {}", url);
        }
      }
      for (URI url : config.listenClientUrls()) {
        LOG.info("serving client requests (gRPC and HTTP) on {}", url);
      }
      return new KeywayServer(vertx, id, node, watches, v2Watches);
    } catch (Exception | Error e) {
      if (v2Watches != null) {
        v2Watches.close();
      }
      vertx.close();
      throw e;
    }
  }

  /** Once the member learns it was removed from the cluster it stops serving (as etcd's does), then {@code then}. */
  public void onMemberRemoved(Runnable then) {
    if (node instanceof KeywayNode member) {
      member.onRemoved(() -> {
        close();
        then.run();
      });
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (watches != null) {
      // watch streams never end by themselves: end them first, so clients see an orderly end (a gRPC status,
      // the last chunk, a WebSocket close frame) rather than a reset when the listeners close
      try {
        watches.endSessions().get(WATCH_END_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("ending watch streams failed", e);
      }
    }
    if (v2Watches != null) {
      v2Watches.close(); // ends parked v2 long-polls the same way: their response's last chunk
    }
    LOG.info("stopping client listeners");
    try {
      await(vertx.undeploy(deploymentId));
    } catch (Exception e) {
      LOG.warn("stopping client listeners failed", e);
    }
    try {
      await(vertx.close());
    } catch (Exception e) {
      LOG.warn("closing Vert.x failed", e);
    }
    if (watches != null) {
      watches.close();
    }
    LOG.info("stopping member");
    try {
      node.close();
    } catch (Exception e) {
      LOG.warn("stopping member failed", e);
    }
    LOG.info("stopped");
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + STEP_TIMEOUT_SECONDS + " s", e);
    }
  }
}
