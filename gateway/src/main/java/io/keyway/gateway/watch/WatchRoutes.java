package io.keyway.gateway.watch;

import io.keyway.gateway.http.JsonWebSocket;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The gateway's {@code /v3/watch} route (any prefix the router accepts): {@code POST} streams over chunked
 * HTTP, a {@code GET} with a WebSocket upgrade becomes a WebSocket watch. Anything else is left to the
 * router's usual answers (405 for a plain GET).
 */
public final class WatchRoutes {
  /** The gRPC method behind the route, as the router names gateway routes. */
  public static final String METHOD = "etcdserverpb.Watch/Watch";

  private final WatchHub hub;
  private final Vertx vertx;

  WatchRoutes(WatchHub hub, Vertx vertx) {
    this.hub = hub;
    this.vertx = vertx;
  }

  /** The frame size and ping conventions every gateway WebSocket shares with the watch one. */
  public JsonWebSocket.Limits webSocketLimits() {
    return WatchWebSocket.webSocketLimits(hub.settings());
  }

  /**
   * Serves the request if it is a watch.
   *
   * @param method the gRPC method the router mapped the path to
   * @return false when the request is not for this route (the router answers it)
   */
  public boolean handle(RoutingContext ctx, String method) {
    if (!METHOD.equals(method)) {
      return false;
    }
    HttpServerRequest request = ctx.request();
    Context context = vertx.getOrCreateContext();
    if (request.method() == HttpMethod.POST) {
      new WatchHttpStream(hub, context, request).start();
      return true;
    }
    if (request.method() == HttpMethod.GET && request.canUpgradeToWebSocket()) {
      WatchCaller caller = new WatchCaller("websocket", String.valueOf(request.remoteAddress()),
          request.headers().copy());
      request.toWebSocket().onSuccess(socket -> new WatchWebSocket(hub, vertx, context, socket, caller).start());
      // a failed handshake has already been answered (400) by Vert.x
      return true;
    }
    return false;
  }
}
