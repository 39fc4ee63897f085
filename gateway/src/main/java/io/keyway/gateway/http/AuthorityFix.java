package io.keyway.gateway.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;

/**
 * Rewrites an HTTP/2 {@code :authority} that is not a valid host[:port] before Vert.x sees it.
 *
 * <p>grpc-go sends the dial target as the authority: etcdctl 3.4's maintenance and cluster clients send
 * {@code http://127.0.0.1:2379}, etcd 3.5 clients {@code #initially=[http://a:2379;http://b:2379]}. Vert.x
 * 5.0.7 answers such streams with RST_STREAM PROTOCOL_ERROR and offers no option to relax that, so
 * {@code etcdctl endpoint status} and {@code member list} would fail. We keep the first host:port found in
 * the value, or "localhost" (Vert.x needs some authority on HTTP/2 requests).
 *
 * <p>Relies on Vert.x internals: the server's connection handler runs when the client's first SETTINGS
 * frame is read, before any HEADERS frame, and the Netty pipeline holds Vert.x's
 * {@link Http2ConnectionHandler}. Re-check on every Vert.x upgrade (the unit test does).
 */
public final class AuthorityFix {
  private AuthorityFix() {}

  /** Installs the rewrite on an HTTP/2 connection; other connections are left alone. */
  public static void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    for (Map.Entry<String, ChannelHandler> entry : base.channel().pipeline()) {
      if (entry.getValue() instanceof Http2ConnectionHandler handler) {
        Http2ConnectionDecoder decoder = handler.decoder();
        if (!(decoder.frameListener() instanceof Rewriter)) {
          decoder.frameListener(new Rewriter(decoder.frameListener()));
        }
        return;
      }
    }
  }

  /**
   * The authority (or HTTP/1 Host) to use instead of {@code authority}, or null when Vert.x accepts it as
   * it is or it is absent.
   */
  public static String repair(CharSequence authority) {
    if (authority == null || valid(authority.toString())) {
      return null;
    }
    String s = authority.toString();
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int end = 0;
    while (end < s.length() && ";/ ,".indexOf(s.charAt(end)) < 0) {
      end++;
    }
    s = s.substring(0, end);
    while (s.endsWith("]") && !valid(s)) {
      s = s.substring(0, s.length() - 1); // the closing bracket of "#initially=[...]"
    }
    return !s.isEmpty() && valid(s) ? s : "localhost";
  }

  /** Vert.x's own check; it throws on some inputs (a '%' near the end), which count as invalid too. */
  private static boolean valid(String authority) {
    try {
      return HostAndPort.parseAuthority(authority, -1) != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void fix(Http2Headers headers) {
    String repaired = repair(headers.authority());
    if (repaired != null) {
      headers.authority(repaired);
    }
  }

  private static final class Rewriter extends Http2FrameListenerDecorator {
    Rewriter(Http2FrameListener listener) {
      super(listener);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
        boolean endOfStream) throws Http2Exception {
      fix(headers);
      super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
        short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
      fix(headers);
      super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
    }
  }
}
