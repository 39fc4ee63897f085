package io.keyway.gateway.watch;

import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.gateway.http.JsonWebSocket;
import io.keyway.gateway.json.GoJsonReader;
import io.keyway.gateway.json.JsonCodec;
import io.keyway.gateway.json.JsonDecodeException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

/**
 * A watch over a WebSocket on {@code /v3/watch}, compatible with etcd's grpc-websocket-proxy: each text or
 * binary message holds one or more concatenated JSON {@code WatchRequest}s; each {@code WatchResponse} goes
 * out as one text message {@code {"result":{...}}}.
 *
 * <p>Where etcd's proxy misbehaves, this does the sane thing instead:
 * <ul>
 *   <li>A message that is not valid JSON (or not a WatchRequest) is answered with one text message holding the
 *       gateway's error body ({@code {"error":"<Go decoder message>","code":2,"message":"..."}}, what etcd sends
 *       for a bad first message before dropping the connection) and the socket keeps working; etcd's proxy
 *       closes it (bad first message) or stops reading it for good (bad later message).</li>
 *   <li>The server pings every {@code --ws-ping-interval} (etcd never pings), and ends a socket with a close
 *       frame (1001 when it stops) rather than a bare TCP close.</li>
 *   <li>A message may not exceed {@code --max-request-bytes} (Vert.x closes the socket with 1009), and one
 *       socket holds at most {@code --ws-max-watchers} watchers; a create beyond that is answered
 *       created-and-canceled with a reason.</li>
 * </ul>
 * A JSON value split across two messages is not joined (etcd's proxy pipes all messages into one stream).
 */
final class WatchWebSocket implements WatchSession.Transport {
  private final WatchHub hub;
  private final Context context;
  private final JsonWebSocket ws;
  private final ServerWebSocket socket;
  private final WatchCaller caller;
  private WatchSession session;

  WatchWebSocket(WatchHub hub, Vertx vertx, Context context, ServerWebSocket socket, WatchCaller caller) {
    this.hub = hub;
    this.context = context;
    this.ws = new JsonWebSocket(vertx, socket, webSocketLimits(hub.settings()), "watch");
    this.socket = socket;
    this.caller = caller;
  }

  /** The frame size and ping conventions of every gateway WebSocket come from the watch settings. */
  static JsonWebSocket.Limits webSocketLimits(WatchSettings settings) {
    return new JsonWebSocket.Limits(settings.maxRequestBytes(), settings.wsPingInterval());
  }

  void start() {
    try {
      session = WatchSession.open(hub, context, caller, hub.settings().webSocketWatcherLimit(), this);
    } catch (EtcdException e) {
      socket.close(JsonWebSocket.GOING_AWAY, e.getMessage());
      return;
    }
    socket.drainHandler(v -> session.drain());
    ws.start(this::onMessage, session::close);
  }

  /** Every request in one message, in order; a bad value is reported and ends this message only. */
  private void onMessage(byte[] message) {
    int at = 0;
    while (!session.isClosed()) {
      WatchRequest request;
      try {
        GoJsonReader.Next next = GoJsonReader.decodeNext(message, at);
        if (next.value() == null) {
          return;
        }
        at = next.end();
        request = JsonCodec.merge(next.value(), WatchRequest.newBuilder()).build();
      } catch (JsonDecodeException e) {
        // after what earlier requests produced, so the client can tell which message failed
        session.drain();
        ws.writeError(GrpcCode.UNKNOWN, e.getMessage());
        return;
      }
      session.request(request);
    }
  }

  // ---- WatchSession.Transport ----------------------------------------------------------------------------

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public void write(WatchResponse response) {
    if (socket.isClosed()) {
      session.close();
      return;
    }
    socket.writeTextMessage(WatchJson.result(response));
  }

  @Override
  public void pauseRequests() {
    socket.pause();
  }

  @Override
  public void resumeRequests() {
    socket.resume();
  }

  @Override
  public void terminate() {
    ws.close(JsonWebSocket.GOING_AWAY, "keyway: server stopping");
  }
}
