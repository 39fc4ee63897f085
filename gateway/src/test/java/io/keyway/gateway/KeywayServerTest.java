package io.keyway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.KVGrpcClient;
import io.keyway.api.etcdserverpb.MaintenanceGrpcClient;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.StatusRequest;
import io.keyway.api.etcdserverpb.StatusResponse;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.gateway.config.Cli;
import io.keyway.gateway.testing.Await;
import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.FreePorts;
import io.keyway.gateway.testing.GrpcProbe;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC and HTTP/JSON on one port in front of a real single-member Raft node. */
class KeywayServerTest {
  @TempDir
  static Path dataDir;

  private static int clientPort;
  private static KeywayServer server;
  private static Vertx vertx;
  private static GrpcProbe grpc;
  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    clientPort = FreePorts.next();
    int peerPort = FreePorts.next();
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    Cli.Outcome outcome = Cli.parse(new String[] {"--name", "it", "--data-dir", dataDir.resolve("it.etcd").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--heartbeat-interval", "50", "--election-timeout", "500"},
        Map.of(), System.out, new PrintStream(System.err, true, StandardCharsets.UTF_8));
    server = KeywayServer.start(assertInstanceOf(Cli.Outcome.Run.class, outcome).config());
    vertx = Vertx.vertx();
    grpc = new GrpcProbe(vertx, clientPort);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (get("/health").statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "no leader within 60 s");
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() {
    if (grpc != null) {
      grpc.close();
      Await.result(vertx.close(), 10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + path)));
  }

  private static HttpResponse<String> post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void grpcWritesAreVisibleOverJsonAndBack() {
    GrpcProbe.Reply<?> put = grpc.call(KVGrpcClient.Put,
        PutRequest.newBuilder().setKey(bytes("foo")).setValue(bytes("bar")).build());
    assertEquals(GrpcStatus.OK, put.status(), put.message());

    HttpResponse<String> range = post("/v3/kv/range", "{\"key\":\"Zm9v\"}");
    assertEquals(200, range.statusCode(), range.body());
    assertTrue(range.body().contains("\"value\":\"YmFy\"}],\"count\":\"1\"}"), range.body());

    HttpResponse<String> jsonPut = post("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmF6\",\"prev_kv\":true}");
    assertEquals(200, jsonPut.statusCode(), jsonPut.body());
    assertTrue(jsonPut.body().contains("\"prev_kv\":{\"key\":\"Zm9v\""), jsonPut.body());

    GrpcProbe.Reply<RangeResponse> viaGrpc = grpc.call(KVGrpcClient.Range,
        RangeRequest.newBuilder().setKey(bytes("foo")).build());
    assertEquals(bytes("baz"), viaGrpc.body().getKvs(0).getValue());
    assertEquals(2, viaGrpc.body().getKvs(0).getVersion());
  }

  @Test
  void txnAndErrorsFromTheRealNode() {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(bytes("t")).setTarget(Compare.CompareTarget.VERSION)
            .setResult(Compare.CompareResult.EQUAL).setVersion(0))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes("t")).setValue(bytes("1"))))
        .build();
    GrpcProbe.Reply<TxnResponse> first = grpc.call(KVGrpcClient.Txn, txn);
    assertEquals(GrpcStatus.OK, first.status(), first.message());
    assertTrue(first.body().getSucceeded());
    assertTrue(!grpc.call(KVGrpcClient.Txn, txn).body().getSucceeded());

    HttpResponse<String> future = post("/v3/kv/range", "{\"key\":\"dA==\",\"revision\":\"999999\"}");
    assertEquals(400, future.statusCode());
    assertEquals("{\"error\":\"etcdserver: mvcc: required revision is a future revision\",\"code\":11,"
        + "\"message\":\"etcdserver: mvcc: required revision is a future revision\"}", future.body());

    GrpcProbe.Reply<?> noKey = grpc.call(KVGrpcClient.Range, RangeRequest.getDefaultInstance());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, noKey.status());
    assertEquals("etcdserver: key is not provided", noKey.message());
  }

  @Test
  void statusReportsTheLeader() {
    GrpcProbe.Reply<StatusResponse> status = grpc.call(MaintenanceGrpcClient.Status, StatusRequest.getDefaultInstance());
    assertEquals(GrpcStatus.OK, status.status());
    assertEquals(status.body().getHeader().getMemberId(), status.body().getLeader());
    assertTrue(status.body().getRaftAppliedIndex() > 0);
    assertEquals("3.5.17", status.body().getVersion());
  }

  @Test
  void http2JsonWithAGrpcGoStyleAuthority() {
    HttpClient h2c = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    HttpClientResponse[] response = new HttpClientResponse[1];
    Buffer body = Await.result(h2c.request(HttpMethod.POST, clientPort, "127.0.0.1", "/v3/cluster/member/list")
        .compose(req -> req.authority(HostAndPort.create("http://127.0.0.1", clientPort)).send(Buffer.buffer("{}")))
        .compose(resp -> {
          response[0] = resp;
          return resp.body();
        }), 30, TimeUnit.SECONDS);
    assertEquals(200, response[0].statusCode());
    assertEquals(HttpVersion.HTTP_2, response[0].version());
    assertTrue(body.toString().contains("\"clientURLs\":[\"http://127.0.0.1:" + clientPort + "\"]"), body.toString());
  }

  @Test
  void anotherServerCannotTakeTheSamePort() {
    Cli.Outcome.Run run = (Cli.Outcome.Run) Cli.parse(new String[] {"--listen-client-urls",
        "http://127.0.0.1:" + clientPort, "--advertise-client-urls", "http://127.0.0.1:" + clientPort},
        Map.of(), System.out, System.err);
    FakeMember member = new FakeMember();
    Exception e = assertThrows(Exception.class, () -> KeywayServer.serve(run.config(), member, member, member));
    assertTrue(e.getMessage() != null && e.getMessage().toLowerCase().contains("address already in use"), e.toString());
  }
}
