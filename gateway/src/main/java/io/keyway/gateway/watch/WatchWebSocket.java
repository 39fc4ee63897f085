package io.keyway.gateway.watch;

import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.gateway.http.GatewayErrors;
import io.keyway.gateway.json.GoJsonReader;
import io.keyway.gateway.json.JsonCodec;
import io.keyway.gateway.json.JsonDecodeException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(WatchWebSocket.class);
  static final short GOING_AWAY = 1001;
  static final short MESSAGE_TOO_BIG = 1009;
  static final short INTERNAL_ERROR = 1011;

  private final WatchHub hub;
  private final Vertx vertx;
  private final Context context;
  private final ServerWebSocket socket;
  private final WatchCaller caller;
  private WatchSession session;
  /** The message whose frames are arriving. */
  private Buffer message;
  private long pingTimer = -1;

  WatchWebSocket(WatchHub hub, Vertx vertx, Context context, ServerWebSocket socket, WatchCaller caller) {
    this.hub = hub;
    this.vertx = vertx;
    this.context = context;
    this.socket = socket;
    this.caller = caller;
  }

  void start() {
    try {
      session = WatchSession.open(hub, context, caller, hub.settings().webSocketWatcherLimit(), this);
    } catch (EtcdException e) {
      socket.close(GOING_AWAY, e.getMessage());
      return;
    }
    socket.frameHandler(this::onFrame);
    socket.drainHandler(v -> session.drain());
    socket.closeHandler(v -> stop());
    socket.exceptionHandler(t -> {
      if (t instanceof CorruptedWebSocketFrameException corrupted && !socket.isClosed()) {
        // Netty would drop the connection without a word: say why with a close frame (1009 for a message
        // over the size limit, 1002 for a protocol error)
        socket.close((short) corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
      } else {
        LOG.debug("watch WebSocket from {} failed", caller.remote(), t);
        if (!socket.isClosed()) {
          socket.close(INTERNAL_ERROR, "keyway: internal error"); // its watchers are gone: no silent socket
        }
      }
      stop();
    });
    if (hub.settings().pings()) {
      pingTimer = vertx.setPeriodic(hub.settings().wsPingInterval().toMillis(), id -> {
        if (!socket.isClosed()) {
          socket.writePing(Buffer.buffer());
        }
      });
    }
  }

  /**
   * Joins a message's frames here rather than in Vert.x, whose aggregator reports an oversized message as an
   * exception and leaves the socket open; a message over the limit gets a 1009 close frame.
   */
  private void onFrame(WebSocketFrame frame) {
    if (frame.isText() || frame.isBinary()) {
      message = Buffer.buffer();
    } else if (!frame.isContinuation() || message == null) {
      return; // ping, pong and close are Vert.x's; a stray continuation is ignored
    }
    message.appendBuffer(frame.binaryData());
    if (message.length() > hub.settings().maxRequestBytes()) {
      message = null;
      socket.close(MESSAGE_TOO_BIG, "message too big");
      return;
    }
    if (frame.isFinal()) {
      byte[] bytes = message.getBytes();
      message = null;
      onMessage(bytes);
    }
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
        socket.writeTextMessage(GatewayErrors.body(GrpcCode.UNKNOWN, e.getMessage()));
        return;
      }
      session.request(request);
    }
  }

  private void stop() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
    if (session != null) {
      session.close();
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
      stop();
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
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
    if (!socket.isClosed()) {
      socket.close(GOING_AWAY, "keyway: server stopping");
    }
  }
}
