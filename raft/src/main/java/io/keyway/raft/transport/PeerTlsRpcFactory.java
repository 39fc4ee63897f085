package io.keyway.raft.transport;

import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRaftRpcFactory;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcClient;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.alipay.sofa.jraft.util.SPI;

/**
 * JRaft's RPC factory (its {@code RaftRpcFactory} SPI, chosen over Bolt's by priority): Bolt's, except that a
 * node started with {@link Options} carrying peer TLS dials its peers over TLS. JRaft builds one client per node
 * from the node's options (appends, votes, snapshot copies, ReadIndex from followers all go through it), and the
 * factory is global to the JVM, so the TLS settings travel with the options rather than with the factory.
 */
@SPI(priority = 100)
public class PeerTlsRpcFactory extends BoltRaftRpcFactory {

  /** A node's options with the TLS its peer connections use; {@code tls} null: plaintext. */
  public static final class Options extends NodeOptions {
    private final PeerTlsChannels tls;

    public Options(PeerTlsChannels tls) {
      this.tls = tls;
    }
  }

  @Override
  public ConfigHelper<RpcClient> defaultJRaftClientConfigHelper(RpcOptions opts) {
    ConfigHelper<RpcClient> bolt = super.defaultJRaftClientConfigHelper(opts);
    if (!(opts instanceof Options options) || options.tls == null) {
      return bolt;
    }
    return client -> {
      if (bolt != null) {
        bolt.config(client);
      }
      options.tls.secure(((BoltRpcClient) client).getRpcClient());
    };
  }

  /**
   * Puts {@code server} (JRaft's and Keyway's calls on the peer port) on TLS. Fails rather than leave it in
   * plaintext when the transport is not the Bolt one this class knows how to secure.
   */
  public static void secure(RpcServer server, PeerTlsChannels tls) {
    requireThisFactory();
    if (!(server instanceof BoltRpcServer bolt)) {
      throw new IllegalStateException("peer TLS needs JRaft's Bolt transport, not " + server.getClass().getName());
    }
    tls.secure(bolt.getServer());
  }

  /** Puts a client made by this factory on TLS (see {@link #secure(RpcServer, PeerTlsChannels)}). */
  static void secure(RpcClient client, PeerTlsChannels tls) {
    requireThisFactory();
    tls.secure(((BoltRpcClient) client).getRpcClient());
  }

  /** Without this factory in charge JRaft's own client would dial peers in plaintext. */
  public static void requireThisFactory() {
    if (!(RpcFactoryHelper.rpcFactory() instanceof PeerTlsRpcFactory)) {
      throw new IllegalStateException("peer TLS is configured but JRaft uses the RPC factory "
          + RpcFactoryHelper.rpcFactory().getClass().getName() + " (META-INF/services of "
          + PeerTlsRpcFactory.class.getName() + " missing?): refusing to run the peer port in plaintext");
    }
  }
}
