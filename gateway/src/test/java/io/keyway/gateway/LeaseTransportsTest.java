package io.keyway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseGrpcClient;
import io.keyway.api.etcdserverpb.LeaseKeepAliveRequest;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseLeasesResponse;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.gateway.testing.Await;
import io.keyway.gateway.testing.FakeLessor;
import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.GrpcProbe;
import io.keyway.gateway.testing.ServerFixture;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Lease service on the client port, over gRPC and the HTTP/JSON gateway, against an in-memory lessor. */
class LeaseTransportsTest {
  private static FakeMember member;
  private static FakeLessor lessor;
  private static ServerFixture server;
  private static Vertx vertx;
  private static GrpcProbe grpc;
  private static GrpcClient grpcClient;

  @BeforeAll
  static void start() throws Exception {
    member = new FakeMember();
    lessor = new FakeLessor(member);
    server = ServerFixture.serve(member, lessor, member, () -> {
      lessor.close();
      member.close();
    });
    vertx = Vertx.vertx();
    grpc = new GrpcProbe(vertx, server.port);
    grpcClient = GrpcClient.client(vertx, new GrpcClientOptions(),
        new HttpClientOptions().setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stop() {
    grpc.close();
    grpcClient.close();
    vertx.close();
    server.close();
  }

  private static String header() {
    return "{\"cluster_id\":\"" + FakeMember.CLUSTER_ID + "\",\"member_id\":\"" + FakeMember.MEMBER_ID
        + "\",\"revision\":\"" + member.revision() + "\",\"raft_term\":\"2\"}";
  }

  private static long grant(long id, long ttl) {
    return Await.result(Future.fromCompletionStage(
        lessor.grant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build())), 10, TimeUnit.SECONDS).getID();
  }

  // ---- HTTP unary routes -------------------------------------------------------------------------------------

  @Test
  void grantTimeToLiveLeasesAndRevokeOverHttpWithEtcdsKeySpellings() {
    HttpResponse<String> granted = server.post("/v3/lease/grant", "{\"TTL\":\"30\",\"ID\":\"7001\"}");
    assertEquals(200, granted.statusCode());
    assertEquals("{\"header\":" + header() + ",\"ID\":\"7001\",\"TTL\":\"30\"}", granted.body());

    // lower-case spellings are unknown fields: an auto id and the minimum TTL, as etcd
    HttpResponse<String> lower = server.post("/v3/lease/grant", "{\"ttl\":\"100\",\"id\":\"4242\"}");
    assertEquals(200, lower.statusCode());
    assertFalse(lower.body().contains("\"ID\":\"4242\""), lower.body());
    assertTrue(lower.body().endsWith(",\"TTL\":\"2\"}"), lower.body());

    for (String path : List.of("/v3/lease/timetolive", "/v3/kv/lease/timetolive", "/v3beta/lease/timetolive")) {
      HttpResponse<String> ttl = server.post(path, "{\"ID\":\"7001\",\"keys\":true}");
      assertEquals(200, ttl.statusCode(), path);
      assertEquals("{\"header\":" + header() + ",\"ID\":\"7001\",\"TTL\":\"30\",\"grantedTTL\":\"30\"}", ttl.body());
    }
    assertEquals("{\"header\":" + header() + ",\"ID\":\"1\",\"TTL\":\"-1\"}",
        server.post("/v3/lease/timetolive", "{\"ID\":\"1\"}").body());

    for (String path : List.of("/v3/lease/leases", "/v3/kv/lease/leases")) {
      HttpResponse<String> leases = server.post(path, "{}");
      assertEquals(200, leases.statusCode());
      assertTrue(leases.body().contains("{\"ID\":\"7001\"}"), leases.body());
    }

    assertEquals("{\"header\":" + header() + "}", server.post("/v3/kv/lease/revoke", "{\"ID\":\"7001\"}").body());
    HttpResponse<String> again = server.post("/v3/lease/revoke", "{\"ID\":\"7001\"}");
    assertEquals(404, again.statusCode());
    assertEquals("{\"error\":\"etcdserver: requested lease not found\",\"code\":5,"
        + "\"message\":\"etcdserver: requested lease not found\"}", again.body());
  }

  @Test
  void grantErrorsOverHttp() {
    grant(7100, 10);
    HttpResponse<String> exists = server.post("/v3/lease/grant", "{\"ID\":\"7100\",\"TTL\":\"10\"}");
    assertEquals(400, exists.statusCode());
    assertTrue(exists.body().contains("\"code\":9"), exists.body());
    assertTrue(exists.body().contains("etcdserver: lease already exists"), exists.body());
    HttpResponse<String> large = server.post("/v3/lease/grant", "{\"TTL\":\"9000000001\"}");
    assertEquals(400, large.statusCode());
    assertTrue(large.body().contains("\"code\":11"), large.body());
    assertEquals(405, server.get("/v3/lease/grant").statusCode());
    assertEquals(405, server.get("/v3/lease/keepalive").statusCode());
  }

  // ---- HTTP keep-alive stream --------------------------------------------------------------------------------

  @Test
  void keepAliveOverHttpAnswersEachConcatenatedRequestInOrder() {
    long id = grant(7200, 30);
    HttpResponse<String> r = server.post("/v3/lease/keepalive",
        "{\"ID\":\"" + id + "\"}{\"ID\":\"1\"}\n {\"ID\":" + id + "}");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals("{\"result\":{\"header\":" + header() + ",\"ID\":\"7200\",\"TTL\":\"30\"}}\n"
        + "{\"result\":{\"header\":" + header() + ",\"ID\":\"1\"}}\n"
        + "{\"result\":{\"header\":" + header() + ",\"ID\":\"7200\",\"TTL\":\"30\"}}\n", r.body());
  }

  @Test
  void keepAliveOverHttpEmptyBodyAndBadInput() {
    HttpResponse<String> empty = server.post("/v3/lease/keepalive", "");
    assertEquals(200, empty.statusCode());
    assertEquals("", empty.body());

    HttpResponse<String> garbage = server.post("/v3/lease/keepalive", "garbage");
    assertEquals(500, garbage.statusCode());
    assertEquals("{\"error\":\"invalid character 'g' looking for beginning of value\",\"code\":2,"
        + "\"message\":\"invalid character 'g' looking for beginning of value\"}", garbage.body());

    HttpResponse<String> truncated = server.post("/v3/lease/keepalive", "{\"ID\":");
    assertEquals(500, truncated.statusCode());
    assertTrue(truncated.body().contains("\"message\":\"unexpected EOF\""), truncated.body());

    long id = grant(7300, 30);
    long before = lessor.keepAlives.get();
    HttpResponse<String> laterGarbage = server.post("/v3/lease/keepalive",
        "{\"ID\":\"" + id + "\"}garbage{\"ID\":\"" + id + "\"}");
    assertEquals(200, laterGarbage.statusCode());
    assertEquals("{\"result\":{\"header\":" + header() + ",\"ID\":\"7300\",\"TTL\":\"30\"}}\n", laterGarbage.body(),
        "a bad later value only stops reading");
    assertEquals(before + 1, lessor.keepAlives.get());
  }

  @Test
  void keepAliveFailureEndsTheHttpStreamWithAnErrorChunk() {
    long id = grant(7400, 30);
    lessor.failingKeepAlives.add(7401L);
    HttpResponse<String> first = server.post("/v3/lease/keepalive", "{\"ID\":\"7401\"}");
    assertEquals(503, first.statusCode(), "nothing was written yet: the status comes from the error");
    assertEquals("{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: no leader\","
        + "\"http_status\":\"Service Unavailable\"}}", first.body());

    HttpResponse<String> later = server.post("/v3/lease/keepalive",
        "{\"ID\":\"" + id + "\"}{\"ID\":\"7401\"}{\"ID\":\"" + id + "\"}");
    assertEquals(200, later.statusCode());
    assertEquals("{\"result\":{\"header\":" + header() + ",\"ID\":\"7400\",\"TTL\":\"30\"}}\n"
        + "{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: no leader\","
        + "\"http_status\":\"Service Unavailable\"}}", later.body());
  }

  /** The body is a stream: each request is answered as soon as it arrived, not when the body ends. */
  @Test
  void keepAliveOverHttpAnswersBeforeTheBodyEnds() throws IOException {
    long id = grant(7500, 30);
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("POST /v3/lease/keepalive HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      chunk(out, "{\"ID\":\"" + id);
      chunk(out, "\"}");
      assertTrue(line(in).startsWith("HTTP/1.1 200"));
      while (!line(in).isEmpty()) {
        // headers
      }
      assertEquals("{\"result\":{\"header\":" + header() + ",\"ID\":\"7500\",\"TTL\":\"30\"}}\n", readChunk(in));
      chunk(out, " {\"ID\":\"7501\"}");
      assertEquals("{\"result\":{\"header\":" + header() + ",\"ID\":\"7501\"}}\n", readChunk(in));
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("", readChunk(in), "the response ends with the body");
    }
  }

  private static void chunk(OutputStream out, String data) throws IOException {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  private static String readChunk(InputStream in) throws IOException {
    int size = Integer.parseInt(line(in).trim(), 16);
    byte[] data = in.readNBytes(size);
    assertEquals("", line(in));
    return new String(data, StandardCharsets.UTF_8);
  }

  // ---- gRPC --------------------------------------------------------------------------------------------------

  @Test
  void unaryLeaseRpcsOverGrpc() {
    GrpcProbe.Reply<LeaseGrantResponse> granted = grpc.call(LeaseGrpcClient.LeaseGrant,
        LeaseGrantRequest.newBuilder().setTTL(1).build());
    assertEquals(GrpcStatus.OK, granted.status());
    assertEquals(2, granted.body().getTTL());
    long id = granted.body().getID();
    GrpcProbe.Reply<LeaseTimeToLiveResponse> ttl = grpc.call(LeaseGrpcClient.LeaseTimeToLive,
        LeaseTimeToLiveRequest.newBuilder().setID(id).build());
    assertEquals(2, ttl.body().getGrantedTTL());
    GrpcProbe.Reply<LeaseLeasesResponse> leases = grpc.call(LeaseGrpcClient.LeaseLeases,
        LeaseLeasesRequest.getDefaultInstance());
    assertTrue(leases.body().getLeasesList().stream().anyMatch(l -> l.getID() == id));
    GrpcProbe.Reply<?> revoked = grpc.call(LeaseGrpcClient.LeaseRevoke,
        io.keyway.api.etcdserverpb.LeaseRevokeRequest.newBuilder().setID(id).build());
    assertEquals(GrpcStatus.OK, revoked.status());
    GrpcProbe.Reply<?> again = grpc.call(LeaseGrpcClient.LeaseRevoke,
        io.keyway.api.etcdserverpb.LeaseRevokeRequest.newBuilder().setID(id).build());
    assertEquals(GrpcStatus.NOT_FOUND, again.status());
    assertEquals(EtcdError.LEASE_NOT_FOUND.message(), again.message());
  }

  record StreamResult(GrpcStatus status, String message, List<LeaseKeepAliveResponse> responses) {}

  private StreamResult keepAliveStream(long... ids) {
    List<LeaseKeepAliveResponse> received = new ArrayList<>();
    Future<StreamResult> result = grpcClient.request(SocketAddress.inetSocketAddress(server.port, "127.0.0.1"),
        LeaseGrpcClient.LeaseKeepAlive).compose(req -> {
          for (long id : ids) {
            req.write(LeaseKeepAliveRequest.newBuilder().setID(id).build());
          }
          req.end();
          return req.response().compose(resp -> {
            resp.handler(received::add);
            return resp.end().transform(ar -> {
              // after messages the status travels in trailers, where Vert.x' statusMessage() does not look
              String message = resp.statusMessage() != null ? resp.statusMessage()
                  : resp.trailers().get("grpc-message");
              return Future.succeededFuture(new StreamResult(resp.status(),
                  message == null ? null : QueryStringDecoder.decodeComponent(message), received));
            });
          });
        });
    return Await.result(result, 20, TimeUnit.SECONDS);
  }

  @Test
  void aLearnerRefusesKeepAliveStreamsAndLeaseRpcsOnEveryTransport() throws Exception {
    long id = grant(7800, 30);
    String refused = EtcdError.NOT_SUPPORTED_FOR_LEARNER.message();
    member.setLearner(true);
    try {
      // gRPC: the stream fails at open, before any request (etcd's stream interceptor)
      StreamResult grpcStream = keepAliveStream();
      assertEquals(GrpcStatus.UNAVAILABLE, grpcStream.status());
      assertEquals(refused, grpcStream.message());
      GrpcProbe.Reply<LeaseGrantResponse> grant = grpc.call(LeaseGrpcClient.LeaseGrant,
          LeaseGrantRequest.newBuilder().setTTL(30).build());
      assertEquals(GrpcStatus.UNAVAILABLE, grant.status());
      assertEquals(refused, grant.message());
      // HTTP: the gateway's unary error
      HttpResponse<String> http = server.post("/v3/lease/keepalive", "{\"ID\":\"" + id + "\"}");
      assertEquals(503, http.statusCode(), http.body());
      assertEquals("{\"error\":\"" + refused + "\",\"code\":14,\"message\":\"" + refused + "\"}", http.body());
      // WebSocket: that body as the one message, then the socket closes
      java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
      java.util.concurrent.CompletableFuture<Short> closed = new java.util.concurrent.CompletableFuture<>();
      vertx.createWebSocketClient().connect(server.port, "127.0.0.1", "/v3/lease/keepalive").onSuccess(ws -> {
        ws.textMessageHandler(messages::add);
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
      }).onFailure(closed::completeExceptionally);
      assertEquals(1011, (int) closed.get(10, TimeUnit.SECONDS));
      assertEquals(http.body(), messages.poll(10, TimeUnit.SECONDS));
    } finally {
      member.setLearner(false);
    }
    assertEquals(GrpcStatus.OK, keepAliveStream(id).status());
  }

  @Test
  void keepAliveStreamOverGrpcAnswersEveryRequestInOrder() {
    long id = grant(7600, 30);
    StreamResult r = keepAliveStream(id, 99, id);
    assertEquals(GrpcStatus.OK, r.status());
    assertEquals(List.of(7600L, 99L, 7600L), r.responses().stream().map(LeaseKeepAliveResponse::getID).toList());
    assertEquals(List.of(30L, 0L, 30L), r.responses().stream().map(LeaseKeepAliveResponse::getTTL).toList());
    assertEquals(FakeMember.MEMBER_ID, r.responses().get(0).getHeader().getMemberId());
  }

  @Test
  void keepAliveFailureEndsTheGrpcStreamWithItsStatus() {
    long id = grant(7700, 30);
    lessor.failingKeepAlives.add(7701L);
    StreamResult r = keepAliveStream(id, 7701, id);
    assertEquals(GrpcStatus.UNAVAILABLE, r.status());
    assertEquals("etcdserver: no leader", r.message());
    assertEquals(List.of(7700L), r.responses().stream().map(LeaseKeepAliveResponse::getID).toList());
  }
}
