package io.keyway.gateway.http;

import io.keyway.gateway.metrics.OpenWebSockets;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport conventions Keyway's gateway WebSockets share (watch, lease keep-alive, server streams): text
 * and binary messages are joined from their frames under a size limit (1009 close beyond it), the server pings
 * every {@code --ws-ping-interval}, protocol errors and failures end the socket with a close frame rather than a
 * bare TCP close, and answers go out as text messages ({@code {"result":...}} or the gateway's error body).
 */
public final class JsonWebSocket {
  private static final Logger LOG = LoggerFactory.getLogger(JsonWebSocket.class);
  public static final short GOING_AWAY = 1001;
  public static final short MESSAGE_TOO_BIG = 1009;
  public static final short INTERNAL_ERROR = 1011;

  /**
   * @param maxMessageBytes the largest message a client may send
   * @param pingInterval    zero or negative sends no pings
   */
  public record Limits(long maxMessageBytes, Duration pingInterval) {
    boolean pings() {
      return !pingInterval.isNegative() && !pingInterval.isZero();
    }
  }

  private final Vertx vertx;
  private final ServerWebSocket socket;
  private final Limits limits;
  private final String what;
  /** The message whose frames are arriving. */
  private Buffer message;
  private long pingTimer = -1;
  private Runnable onStop;
  private boolean counted;

  /** @param what names the socket's purpose in logs */
  public JsonWebSocket(Vertx vertx, ServerWebSocket socket, Limits limits, String what) {
    this.vertx = vertx;
    this.socket = socket;
    this.limits = limits;
    this.what = what;
  }

  /**
   * Starts reading and pinging.
   *
   * @param onMessage every complete message, in order
   * @param onStop    runs once when the socket closes or fails
   */
  public void start(Consumer<byte[]> onMessage, Runnable onStop) {
    this.onStop = onStop;
    OpenWebSockets.opened();
    counted = true;
    socket.frameHandler(frame -> onFrame(frame, onMessage));
    socket.closeHandler(v -> stopped());
    socket.exceptionHandler(t -> {
      if (t instanceof CorruptedWebSocketFrameException corrupted && !socket.isClosed()) {
        // Netty would drop the connection without a word: say why with a close frame (1009 for a message
        // over the size limit, 1002 for a protocol error)
        socket.close((short) corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
      } else {
        LOG.debug("{} WebSocket from {} failed", what, socket.remoteAddress(), t);
        close(INTERNAL_ERROR, "keyway: internal error"); // its stream is gone: no silent socket
      }
      stopped();
    });
    if (limits.pings()) {
      pingTimer = vertx.setPeriodic(limits.pingInterval().toMillis(), id -> {
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
  private void onFrame(WebSocketFrame frame, Consumer<byte[]> onMessage) {
    if (frame.isText() || frame.isBinary()) {
      message = Buffer.buffer();
    } else if (!frame.isContinuation() || message == null) {
      return; // ping, pong and close are Vert.x's; a stray continuation is ignored
    }
    message.appendBuffer(frame.binaryData());
    if (message.length() > limits.maxMessageBytes()) {
      message = null;
      close(MESSAGE_TOO_BIG, "message too big");
      return;
    }
    if (frame.isFinal()) {
      byte[] bytes = message.getBytes();
      message = null;
      onMessage.accept(bytes);
    }
  }

  /** Writes {@code {"result":<json>}} unless the socket is closed; false when it is. */
  public boolean writeResult(String resultJson) {
    if (socket.isClosed()) {
      return false;
    }
    socket.writeTextMessage("{\"result\":" + resultJson + "}");
    return true;
  }

  /** The gateway's unary error body as one text message, what etcd's proxy sends for a bad first message. */
  public void writeError(int grpcCode, String message) {
    if (!socket.isClosed()) {
      socket.writeTextMessage(GatewayErrors.body(grpcCode, message));
    }
  }

  /** Stops pinging and closes the socket with a close frame (if still open). */
  public void close(short code, String reason) {
    cancelPings();
    if (!socket.isClosed()) {
      socket.close(code, reason);
    }
  }

  public ServerWebSocket socket() {
    return socket;
  }

  private void cancelPings() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
  }

  private void stopped() {
    cancelPings();
    if (counted) {
      counted = false;
      OpenWebSockets.closed();
    }
    Runnable stop = onStop;
    onStop = null;
    if (stop != null) {
      stop.run();
    }
  }
}
