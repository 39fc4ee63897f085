package io.keyway.gateway;

import io.keyway.gateway.config.ServerConfig;
import io.keyway.gateway.http.ClientVerticle;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.KeywayNode;
import io.keyway.raft.MemberView;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
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

  private final Vertx vertx;
  private final String deploymentId;
  private final AutoCloseable node;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KeywayServer(Vertx vertx, String deploymentId, AutoCloseable node) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.node = node;
  }

  /** Starts the Raft member from {@code config}, then serves clients on its listen URLs. */
  public static KeywayServer start(ServerConfig config) throws Exception {
    KeywayNode node = KeywayNode.start(NodeConfigs.from(config));
    try {
      node.setClientUrls(NodeConfigs.strings(config.advertiseClientUrls()));
      return serve(config, node, node, node);
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  /**
   * Serves clients in front of an already running member.
   *
   * @param node closed when the server stops
   */
  public static KeywayServer serve(ServerConfig config, EtcdKv kv, MemberView view, AutoCloseable node)
      throws Exception {
    int loops = Math.max(2, Runtime.getRuntime().availableProcessors());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    try {
      EtcdRpcs rpcs = EtcdRpcs.create(kv, view, NodeConfigs.strings(config.advertiseClientUrls()));
      ClientVerticle.Setup setup = new ClientVerticle.Setup(config.listenClientUrls(), rpcs, kv, view,
          config.maxGrpcMessageBytes(), config.requestTimeoutMs());
      String id = await(vertx.deployVerticle(() -> new ClientVerticle(setup),
          new DeploymentOptions().setInstances(loops)));
      for (URI url : config.listenClientUrls()) {
        LOG.info("serving client requests (gRPC and HTTP) on {}", url);
      }
      return new KeywayServer(vertx, id, node);
    } catch (Exception | Error e) {
      vertx.close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
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
