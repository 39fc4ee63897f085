package io.keyway.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetServerImpl;
import io.vertx.core.net.impl.NetServerInternal;
import io.vertx.core.net.impl.NetSocketImpl;
import java.util.ArrayList;
import java.util.List;

/**
 * Cleartext HTTP servers that answer an HTTP/1.1 request carrying {@code Upgrade: h2c} over HTTP/1.1, as etcd's
 * Go server does, instead of switching the connection to HTTP/2 (101) or, when the {@code Connection} header
 * does not list both {@code Upgrade} and {@code HTTP2-Settings}, answering 400 and closing.
 *
 * <p>HTTP/2 with prior knowledge (gRPC, {@code curl --http2-prior-knowledge}) and WebSocket upgrades are
 * untouched. The h2c upgrade is what Java's {@code HttpClient} and {@code curl --http2} try on every plain
 * {@code http://} URL, and a reverse proxy configured for WebSocket (nginx's
 * {@code proxy_set_header Upgrade $http_upgrade; Connection "upgrade"}) forwards it without the settings.
 *
 * <p>Vert.x 5.0 has one switch for both forms of cleartext HTTP/2, and its upgrade handler (pipeline name
 * {@code h2c}) decides on the connection's first request, before any HTTP connection handler runs. So the
 * request has to be changed below Vert.x's HTTP layer: the server's TCP listener is built here, and each
 * accepted socket gets a one-shot handler that, once Vert.x has sniffed HTTP/1 and laid out its codec, puts
 * {@link UpgradeStripper} in front of the upgrade handler. Relies on Vert.x internals like
 * {@link AuthorityFix}; NoH2cUpgradeTest notices when an upgrade changes them.
 */
public final class NoH2cUpgrade {
  /** Vert.x's name for its HTTP/1-to-h2c upgrade handler. */
  static final String UPGRADE_HANDLER = "h2c";
  private static final String STRIPPER = "keyway-no-h2c-upgrade";
  private static final String H2C = "h2c";
  private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

  private NoH2cUpgrade() {}

  /**
   * An HTTP server like {@code vertx.createHttpServer(options)}; on a cleartext port that also serves
   * prior-knowledge HTTP/2 it refuses the HTTP/1.1-to-h2c upgrade.
   */
  public static HttpServer createServer(Vertx vertx, HttpServerOptions options) {
    if (options.isSsl() || !options.isHttp2ClearTextEnabled()) {
      return vertx.createHttpServer(options); // no upgrade handler: TLS negotiates with ALPN
    }
    return new HttpServerImpl(new GuardedSockets((VertxInternal) vertx), new HttpServerOptions(options));
  }

  /** Hands Vert.x's HTTP server a TCP listener whose sockets get {@link Probe} after the HTTP set-up. */
  private static final class GuardedSockets extends VertxWrapper {
    GuardedSockets(VertxInternal delegate) {
      super(delegate);
    }

    @Override
    public NetServerInternal createNetServer(NetServerOptions options) {
      return new NetServerImpl(delegate, options.copy()) {
        @Override
        public synchronized NetServerInternal connectHandler(Handler<NetSocket> handler) {
          return super.connectHandler(socket -> {
            handler.handle(socket);
            guard(socket);
          });
        }
      };
    }
  }

  private static void guard(NetSocket socket) {
    if (socket instanceof NetSocketImpl impl) {
      ChannelPipeline pipeline = impl.channel().pipeline();
      ChannelHandlerContext sniffer = pipeline.context(Http1xOrH2CHandler.class);
      if (sniffer != null) {
        pipeline.addAfter(sniffer.name(), null, new Probe());
      }
    }
  }

  /**
   * Sits behind Vert.x's HTTP/1-or-HTTP/2 sniffer, which lays out the HTTP/1 codec and upgrade handler (or
   * the HTTP/2 one) just before handing on the connection's first bytes.
   */
  private static final class Probe extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ChannelPipeline pipeline = ctx.pipeline();
      if (pipeline.get(UPGRADE_HANDLER) != null && pipeline.get(STRIPPER) == null) {
        pipeline.addBefore(UPGRADE_HANDLER, STRIPPER, new UpgradeStripper());
      }
      pipeline.remove(this);
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Removes the h2c offer from the connection's first request; the upgrade handler only looks at that one
   * and then leaves the pipeline, and so does this.
   */
  static final class UpgradeStripper extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        strip(request.headers());
        ctx.pipeline().remove(this);
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Drops {@code h2c} from {@code Upgrade}, and the headers that only served it. */
  static void strip(HttpHeaders headers) {
    List<String> upgrades = tokens(headers.getAll(HttpHeaderNames.UPGRADE));
    if (!upgrades.removeIf(H2C::equalsIgnoreCase)) {
      return;
    }
    headers.remove(HTTP2_SETTINGS);
    List<String> connection = tokens(headers.getAll(HttpHeaderNames.CONNECTION));
    connection.removeIf(HTTP2_SETTINGS::contentEqualsIgnoreCase);
    if (upgrades.isEmpty()) {
      headers.remove(HttpHeaderNames.UPGRADE);
      connection.removeIf(HttpHeaderNames.UPGRADE::contentEqualsIgnoreCase);
    } else {
      headers.set(HttpHeaderNames.UPGRADE, String.join(", ", upgrades));
    }
    if (connection.isEmpty()) {
      headers.remove(HttpHeaderNames.CONNECTION);
    } else {
      headers.set(HttpHeaderNames.CONNECTION, String.join(", ", connection));
    }
  }

  private static List<String> tokens(List<String> values) {
    List<String> tokens = new ArrayList<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        if (!token.isBlank()) {
          tokens.add(token.trim());
        }
      }
    }
    return tokens;
  }
}
