package io.keyway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyway.api.EtcdError;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.KVGrpcClient;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.GrpcProbe;
import io.keyway.gateway.testing.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import com.google.protobuf.ByteString;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every etcd error reaches both transports with its code and exact text; bugs become Unknown. */
class ErrorMappingTest {
  /** grpc-gateway v1.16's HTTPStatusFromCode, copied from etcd-api.md §2.5 (upstream 3.5 column). */
  private static final Map<Integer, Integer> HTTP_STATUS = Map.ofEntries(
      Map.entry(1, 408), Map.entry(2, 500), Map.entry(3, 400), Map.entry(4, 504), Map.entry(5, 404),
      Map.entry(6, 409), Map.entry(7, 403), Map.entry(8, 429), Map.entry(9, 400), Map.entry(10, 409),
      Map.entry(11, 400), Map.entry(12, 501), Map.entry(13, 500), Map.entry(14, 503), Map.entry(15, 500),
      Map.entry(16, 401));

  private static FakeMember member;
  private static ServerFixture server;
  private static Vertx vertx;
  private static GrpcProbe grpc;

  @BeforeAll
  static void start() throws Exception {
    member = new FakeMember();
    server = ServerFixture.serve(member, member, member);
    vertx = Vertx.vertx();
    grpc = new GrpcProbe(vertx, server.port);
  }

  @AfterAll
  static void stop() {
    grpc.close();
    vertx.close();
    server.close();
  }

  @Test
  void statusTableIsGrpcGatewayV116s() {
    for (int code = 1; code <= 16; code++) {
      assertEquals(HTTP_STATUS.get(code), GatewayErrors.httpStatus(code), "gRPC code " + code);
    }
  }

  @ParameterizedTest
  @EnumSource(EtcdError.class)
  void overHttp(EtcdError error) {
    member.failNext(error.exception());
    HttpResponse<String> r = server.post("/v3/kv/put", "{\"key\":\"Zm9v\"}");
    assertEquals(HTTP_STATUS.get(error.code()), r.statusCode());
    String m = error.message().replace("\"", "\\\"");
    assertEquals("{\"error\":\"" + m + "\",\"code\":" + error.code() + ",\"message\":\"" + m + "\"}", r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
  }

  @ParameterizedTest
  @EnumSource(EtcdError.class)
  void overGrpc(EtcdError error) {
    member.failNext(error.exception());
    GrpcProbe.Reply<?> r = grpc.call(KVGrpcClient.Put,
        PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("foo")).build());
    assertEquals(GrpcStatus.valueOf(error.code()), r.status());
    assertEquals(error.message(), r.message());
  }

  @Test
  void unexpectedExceptionsBecomeUnknownWithAShortMessage() {
    member.failNext(new IllegalStateException("boom"));
    HttpResponse<String> r = server.post("/v3/kv/put", "{\"key\":\"Zm9v\"}");
    assertEquals(500, r.statusCode());
    assertEquals("{\"error\":\"keyway: internal error: IllegalStateException: boom\",\"code\":2,"
        + "\"message\":\"keyway: internal error: IllegalStateException: boom\"}", r.body());

    member.failNext(new NullPointerException());
    GrpcProbe.Reply<?> g = grpc.call(KVGrpcClient.Put,
        PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("foo")).build());
    assertEquals(GrpcStatus.UNKNOWN, g.status());
    assertEquals("keyway: internal error: NullPointerException", g.message());
  }

  @Test
  void handlerThatThrowsInsteadOfFailingItsFuture() {
    member.rangeHook = req -> {
      throw new UnsupportedOperationException("sync");
    };
    try {
      HttpResponse<String> r = server.post("/v3/kv/range", "{\"key\":\"Zm9v\"}");
      assertEquals(500, r.statusCode());
      assertEquals(GrpcCode.UNKNOWN, Integer.parseInt(r.body().replaceAll(".*\"code\":(\\d+).*", "$1")));
    } finally {
      member.rangeHook = null;
    }
  }

  @Test
  void emptyMessageIsOmittedFromTheBody() {
    assertEquals("{\"code\":12}", GatewayErrors.body(12, ""));
    assertEquals("{\"error\":\"a\\u003cb\",\"code\":3,\"message\":\"a\\u003cb\"}", GatewayErrors.body(3, "a<b"));
  }
}
