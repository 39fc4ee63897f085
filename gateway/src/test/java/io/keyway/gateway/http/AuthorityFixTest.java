package io.keyway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.gateway.testing.Await;
import io.keyway.gateway.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthorityFixTest {
  private static Vertx vertx;
  private static HttpClient h2c;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    h2c = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close(), 10, TimeUnit.SECONDS);
  }

  @Test
  void repairKeepsTheFirstHostAndPort() {
    assertNull(AuthorityFix.repair("127.0.0.1:2379"));
    assertNull(AuthorityFix.repair("localhost"));
    assertNull(AuthorityFix.repair(null));
    assertEquals("127.0.0.1:2379", AuthorityFix.repair("http://127.0.0.1:2379"));
    assertEquals("a:1", AuthorityFix.repair("#initially=[http://a:1;http://b:2]"));
    assertEquals("[::1]:2379", AuthorityFix.repair("https://[::1]:2379"));
    assertEquals("[::1]:2379", AuthorityFix.repair("#initially=[http://[::1]:2379]"));
    assertEquals("a:1", AuthorityFix.repair("#initially=[http://a:1]"));
    assertEquals("weird", AuthorityFix.repair("weird value"));
    assertEquals("localhost", AuthorityFix.repair("%%%"));
    assertEquals("localhost", AuthorityFix.repair("http://"));
  }

  /** What etcdctl 3.4 and etcd 3.5 clients send as {@code :authority}. */
  private static final String[] CLIENT_AUTHORITIES = {"http://127.0.0.1:%d", "#initially=[http://127.0.0.1:%d]"};

  @Test
  void fixedServerAnswersRequestsWithClientStyleAuthorities() {
    int port = listen(true);
    for (String pattern : CLIENT_AUTHORITIES) {
      assertEquals(200, status(port, String.format(pattern, port)), pattern);
    }
  }

  /**
   * Without the fix Vert.x resets these streams. If this starts failing after a Vert.x upgrade, Vert.x has
   * relaxed its check and {@link AuthorityFix} may be unnecessary; if the test above fails, the internals
   * it relies on moved.
   */
  @Test
  void plainVertxStillRejectsThem() {
    int port = listen(false);
    for (String pattern : CLIENT_AUTHORITIES) {
      assertEquals(-1, status(port, String.format(pattern, port)), pattern);
    }
  }

  private static int listen(boolean fixed) {
    int port = FreePorts.next();
    HttpServer server = vertx.createHttpServer(ClientVerticle.options(URI.create("http://127.0.0.1:" + port)))
        .requestHandler(req -> req.response().end("ok"));
    if (fixed) {
      server.connectionHandler(AuthorityFix::install);
    }
    Await.result(server.listen(), 10, TimeUnit.SECONDS);
    return port;
  }

  /** The response status, or -1 when the server reset the stream. */
  private static int status(int port, String authority) {
    Future<Integer> status = h2c.request(HttpMethod.GET, port, "127.0.0.1", "/health")
        .compose(req -> req.authority(HostAndPort.create(authority, -1)).send())
        .map(resp -> {
          assertTrue(resp.version() == HttpVersion.HTTP_2);
          return resp.statusCode();
        })
        .recover(err -> Future.succeededFuture(-1));
    return Await.result(status, 10, TimeUnit.SECONDS);
  }
}
