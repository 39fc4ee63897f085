package io.keyway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.ServerFixture;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A request offering an upgrade to h2c is answered over HTTP/1.1, as etcd does; prior-knowledge HTTP/2 stays. */
class NoH2cUpgradeTest {
  private static final String RANGE = "{\"key\":\"" + Base64.getEncoder().encodeToString("a".getBytes()) + "\"}";
  private static FakeMember member;
  private static ServerFixture server;

  @BeforeAll
  static void start() throws Exception {
    member = new FakeMember();
    server = ServerFixture.serve(member, member, member);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void javasDefaultClientGetsHttp11Answers() throws Exception {
    // HttpClient's default version is HTTP/2: on http:// it sends Upgrade: h2c with its first request
    HttpClient client = HttpClient.newHttpClient();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url("/v3/kv/range")))
          .POST(HttpRequest.BodyPublishers.ofString(RANGE)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(HttpClient.Version.HTTP_1_1, r.version());
      assertTrue(r.body().contains("\"cluster_id\""), r.body());
    }
  }

  @Test
  void aFullUpgradeOfferIsIgnoredOnTheWire() throws Exception {
    // several connections: they are spread over the listener's verticle instances, each with its own TCP server
    for (int i = 0; i < 4; i++) {
      try (Socket socket = new Socket("127.0.0.1", server.port)) {
        String head = exchange(socket, "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n");
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
        // still HTTP/1.1 and still open for the next request
        head = exchange(socket, "");
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
      }
    }
  }

  @Test
  void aProxiedUpgradeWithoutSettingsIsIgnoredToo() throws Exception {
    // nginx set up for WebSocket forwards the client's Upgrade with its own "Connection: upgrade"
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      String head = exchange(socket, "Connection: upgrade\r\nUpgrade: h2c\r\n");
      assertTrue(head.startsWith("HTTP/1.1 200 "), head);
    }
  }

  @Test
  void priorKnowledgeHttp2IsStillServed() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
          .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      HttpClientResponse response = client.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setHost("127.0.0.1").setPort(server.port).setURI("/v3/kv/range"))
          .compose(req -> req.send(Buffer.buffer(RANGE)))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(HttpVersion.HTTP_2, response.version());
      assertEquals(200, response.statusCode());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void stripsOnlyTheH2cOffer() {
    HttpHeaders offer = headers("Connection", "Upgrade, HTTP2-Settings", "Upgrade", "h2c", "HTTP2-Settings", "AAMA");
    NoH2cUpgrade.strip(offer);
    assertTrue(offer.isEmpty(), offer.toString());

    HttpHeaders both = headers("Connection", "keep-alive, Upgrade", "Upgrade", "websocket, H2C");
    NoH2cUpgrade.strip(both);
    assertEquals("websocket", both.get("Upgrade"));
    assertEquals("keep-alive, Upgrade", both.get("Connection"));

    HttpHeaders webSocket = headers("Connection", "Upgrade", "Upgrade", "websocket", "HTTP2-Settings", "x");
    NoH2cUpgrade.strip(webSocket);
    assertEquals("websocket", webSocket.get("Upgrade"));
    assertEquals("x", webSocket.get("HTTP2-Settings"), "left alone without an h2c offer");

    HttpHeaders proxied = headers("Connection", "upgrade", "Upgrade", "h2c");
    NoH2cUpgrade.strip(proxied);
    assertNull(proxied.get("Connection"));
    assertFalse(proxied.contains("Upgrade"));
  }

  private static HttpHeaders headers(String... namesAndValues) {
    HttpHeaders headers = new DefaultHttpHeaders();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  /** Sends a range request with {@code extraHeaders}; returns the response head, having read its body. */
  private static String exchange(Socket socket, String extraHeaders) throws IOException {
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(("POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders
        + "Content-Length: " + RANGE.length() + "\r\n\r\n" + RANGE).getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    assertTrue(body.contains("\"cluster_id\""), text + body);
    return text;
  }
}
