package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A WebSocket watch client (java.net.http): text messages in arrival order, pings counted, and how the socket
 * ended (a close frame with its code, or an error such as a TCP close without one).
 */
final class WsWatch implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final AtomicInteger pings = new AtomicInteger();
  private final Consumer<String> sink;
  private final WebSocket socket;

  private WsWatch(String wsUrl, Consumer<String> sink) {
    this(wsUrl, sink, java.util.Map.of(), java.util.List.of());
  }

  private WsWatch(String wsUrl, Consumer<String> sink, java.util.Map<String, String> headers,
      java.util.List<String> subprotocols) {
    this.sink = sink;
    try {
      WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
      headers.forEach(builder::header);
      if (!subprotocols.isEmpty()) {
        builder.subprotocols(subprotocols.get(0),
            subprotocols.subList(1, subprotocols.size()).toArray(new String[0]));
      }
      socket = builder.buildAsync(URI.create(wsUrl), new Listener()).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("WebSocket handshake with " + wsUrl + " failed: " + e, e);
    }
  }

  /** Connects with extra handshake headers (e.g. a {@code Cookie}) and offered subprotocols. */
  static WsWatch connect(String baseUrl, String path, java.util.Map<String, String> headers,
      String... subprotocols) {
    return new WsWatch(baseUrl.replaceFirst("^http", "ws") + path, null, headers, java.util.List.of(subprotocols));
  }

  /** Connects to {@code /v3/watch} (or {@code path}) of an {@code http://} base URL. */
  static WsWatch connect(String baseUrl, String path) {
    return new WsWatch(baseUrl.replaceFirst("^http", "ws") + path, null);
  }

  /** A client that hands every text message to {@code sink} (on the socket's thread) instead of queueing it. */
  static WsWatch connect(String baseUrl, String path, Consumer<String> sink) {
    return new WsWatch(baseUrl.replaceFirst("^http", "ws") + path, sink);
  }

  WsWatch sendText(String text) {
    join(socket.sendText(text, true));
    return this;
  }

  /** One text message sent as several frames (a first frame and continuations). */
  WsWatch sendTextInFrames(String text, int frames) {
    int step = (text.length() + frames - 1) / frames;
    for (int at = 0; at < text.length(); at += step) {
      int end = Math.min(text.length(), at + step);
      join(socket.sendText(text.substring(at, end), end == text.length()));
    }
    return this;
  }

  WsWatch sendBinary(String text) {
    join(socket.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true));
    return this;
  }

  /** The next text message, which must come within 10 s. */
  JsonNode next() {
    String text = nextText(10_000);
    assertNotNull(text, "no WebSocket message within 10 s (closed: " + closeCode.getNow(null) + ")");
    return Json.parse(text);
  }

  /** The {@code result} of the next message. */
  JsonNode nextResult() {
    JsonNode message = next();
    if (!message.has("result")) {
      fail("expected a result, got " + message);
    }
    return message.get("result");
  }

  String nextText(long timeoutMillis) {
    try {
      return messages.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  void expectSilence(long millis) {
    String text = nextText(millis);
    if (text != null) {
      fail("expected nothing, got " + text);
    }
  }

  int pings() {
    return pings.get();
  }

  /**
   * The status code of the server's close frame; -1 when the connection ended without one (etcd's proxy
   * closes the TCP connection: clients report 1006).
   */
  int awaitClose(long timeoutMillis) {
    try {
      return closeCode.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the WebSocket did not close within " + timeoutMillis + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean isClosed() {
    return closeCode.isDone();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
    }
    socket.abort();
  }

  private static <T> void join(CompletableFuture<T> sent) {
    try {
      sent.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("sending on the WebSocket failed: " + e, e);
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        if (sink != null) {
          sink.accept(text);
        } else {
          messages.add(text);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      messages.add("<binary message>");
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      pings.incrementAndGet();
      webSocket.request(1); // the client answers with a pong by itself
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.complete(-1);
    }
  }
}
