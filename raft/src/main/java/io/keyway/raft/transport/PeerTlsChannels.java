package io.keyway.raft.transport;

import com.alipay.remoting.ExtendedNettyChannelHandler;
import com.alipay.remoting.config.BoltClientOption;
import com.alipay.remoting.config.BoltServerOption;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * Puts every connection of the Raft peer port (JRaft's RPCs and {@link PeerRpc}'s, both on SOFABolt) on TLS, with
 * {@link PeerTls}' key and trust managers, so {@link PeerTrust}'s allowed CN / host name / CRL checks run on each
 * handshake. Bolt's own SSL options only take key store files; its "extended channel handler" hook instead puts
 * Netty handlers first in every pipeline, which is where the TLS handler goes.
 */
public final class PeerTlsChannels {
  private final SSLContext context;
  private final boolean mutual;
  private final boolean verifyHost;

  private PeerTlsChannels(SSLContext context, boolean mutual, boolean verifyHost) {
    this.context = context;
    this.mutual = mutual;
    this.verifyHost = verifyHost;
  }

  /**
   * One JDK context serves both directions ({@link PeerKeyManager} picks the server or the client certificate).
   * Not Netty's {@code SslContextBuilder}: its JDK server context first builds a PBKDF2-encrypted key store in a
   * static initialiser, which took over half a minute on a loaded machine and kept members from starting.
   */
  public static PeerTlsChannels of(PeerTls tls) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {tls.keyManager()}, new TrustManager[] {tls.trustManager()}, null);
      // as etcd's peer transport: the dialled host must be in the certificate, unless auto-TLS skips checks
      return new PeerTlsChannels(context, tls.mutual(), !tls.skipVerify());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("invalid peer TLS key material: " + e.getMessage(), e);
    }
  }

  private SslHandler accepting() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setNeedClientAuth(mutual);
    return new SslHandler(engine);
  }

  private SslHandler dialling(String host, int port) {
    SSLEngine engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    if (verifyHost) {
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(parameters);
    }
    return new SslHandler(engine);
  }

  /** Accepted connections start with a TLS handshake before Bolt reads anything. */
  public void secure(com.alipay.remoting.rpc.RpcServer bolt) {
    bolt.option(BoltServerOption.EXTENDED_NETTY_CHANNEL_HANDLER,
        front(this::accepting));
  }

  /** Dialled connections start with a TLS handshake that checks the peer's certificate against its address. */
  public void secure(com.alipay.remoting.rpc.RpcClient bolt) {
    bolt.option(BoltClientOption.EXTENDED_NETTY_CHANNEL_HANDLER, front(() -> new DialTls(this)));
  }

  private static ExtendedNettyChannelHandler front(Supplier<ChannelHandler> perChannel) {
    return new ExtendedNettyChannelHandler() {
      @Override
      public List<ChannelHandler> frontChannelHandlers() {
        // Bolt asks once per new channel: an SslHandler holds one connection's state
        return List.of(perChannel.get());
      }

      @Override
      public List<ChannelHandler> backChannelHandlers() {
        return List.of();
      }
    };
  }

  /**
   * Bolt builds a client pipeline before it knows the address dialled; the TLS handler needs it (host name check,
   * SNI), so it is added when the connection is attempted, still before the channel becomes active.
   */
  private static final class DialTls extends ChannelOutboundHandlerAdapter {
    private final PeerTlsChannels tls;

    DialTls(PeerTlsChannels tls) {
      this.tls = tls;
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local,
        ChannelPromise promise) {
      if (!(remote instanceof InetSocketAddress address)) {
        promise.setFailure(new IllegalArgumentException("peer TLS dials IP sockets only, not " + remote));
        return;
      }
      ctx.pipeline().addAfter(ctx.name(), "peerTls", tls.dialling(address.getHostString(), address.getPort()));
      ctx.connect(remote, local, promise);
      ctx.pipeline().remove(this);
    }
  }
}
