package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A watch over plain HTTP/1.1 the way {@code curl -N} with a chunked upload drives it, on a raw socket so the
 * test controls every byte: the request body is sent chunk by chunk while the response streams back, and the
 * body may stay open. Response body lines (etcd writes one {@code {"result":…}} per line) are queued as they
 * arrive; a final unterminated piece (grpc-gateway's error chunk) is queued too, then {@link #END}.
 */
final class HttpWatchStream implements AutoCloseable {
  /** Queued after the last line when the response (or the connection) ended. */
  static final String END = "<end of response>";

  private final Socket socket;
  private final OutputStream out;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final CountDownLatch headersRead = new CountDownLatch(1);
  private final Map<String, String> headers = new ConcurrentHashMap<>();
  private volatile int status;

  private HttpWatchStream(String baseUrl, String path, String contentType) throws IOException {
    URI uri = URI.create(baseUrl);
    socket = new Socket();
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
    out = socket.getOutputStream();
    String head = "POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
        + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
        + "Transfer-Encoding: chunked\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    Thread reader = new Thread(this::readResponse, "http-watch-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code POST path} with a chunked body that stays open, and sends {@code chunks} as its first chunks. */
  static HttpWatchStream open(String baseUrl, String path, String... chunks) {
    try {
      HttpWatchStream stream = new HttpWatchStream(baseUrl, path, null);
      for (String chunk : chunks) {
        stream.send(chunk);
      }
      return stream;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a watch at " + baseUrl + path, e);
    }
  }

  /** One chunk of the request body (any bytes: a whole request, several, or part of one). */
  HttpWatchStream send(String chunk) {
    byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
    try {
      out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send on the watch stream", e);
    }
    return this;
  }

  /** Ends the request body (the last chunk); the watch must stay open. */
  void endBody() {
    try {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot end the request body", e);
    }
  }

  /** The response status, waiting for the headers. */
  int status(long timeoutMillis) {
    try {
      if (!headersRead.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
        fail("no response headers within " + timeoutMillis + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return status;
  }

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The next body line or {@link #END}; null when nothing arrived within the timeout. */
  String nextLine(long timeoutMillis) {
    try {
      return lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next streamed message, which must come within 10 s. */
  JsonNode next() {
    String line = nextLine(10_000);
    assertNotNull(line, "no watch response within 10 s");
    if (line.equals(END)) {
      fail("the watch response ended");
    }
    return Json.parse(line);
  }

  /** The {@code result} of the next message. */
  JsonNode nextResult() {
    JsonNode message = next();
    if (!message.has("result")) {
      fail("expected a result, got " + message);
    }
    return message.get("result");
  }

  /** Asserts that nothing arrives for a while. */
  void expectSilence(long millis) {
    String line = nextLine(millis);
    if (line != null) {
      fail("expected nothing, got " + line);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is best effort
    }
  }

  // ---- response parsing (reader thread) ------------------------------------------------------------------

  private void readResponse() {
    try (InputStream in = socket.getInputStream()) {
      String statusLine = readLine(in);
      status = Integer.parseInt(statusLine.split(" ")[1]);
      String line;
      while (!(line = readLine(in)).isEmpty()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      headersRead.countDown();
      ByteArrayOutputStream pending = new ByteArrayOutputStream();
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        while (true) {
          int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
          if (size == 0) {
            readLine(in);
            break;
          }
          byte[] data = in.readNBytes(size);
          if (data.length < size) {
            break;
          }
          readLine(in);
          for (byte b : data) {
            if (b == '\n') {
              lines.add(pending.toString(StandardCharsets.UTF_8));
              pending.reset();
            } else {
              pending.write(b);
            }
          }
        }
      } else if (headers.containsKey("content-length")) {
        pending.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
      }
      if (pending.size() > 0) {
        lines.add(pending.toString(StandardCharsets.UTF_8));
      }
    } catch (IOException | RuntimeException e) {
      // the connection went away: END says so
    } finally {
      headersRead.countDown();
      lines.add(END);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("connection closed");
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
