package io.keyway.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.ClusterGrpcClient;
import io.keyway.api.etcdserverpb.KVGrpcClient;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrpcClient;
import io.keyway.api.etcdserverpb.MaintenanceGrpcClient;
import io.keyway.api.etcdserverpb.MemberListRequest;
import io.keyway.api.etcdserverpb.MemberListResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.SnapshotRequest;
import io.keyway.api.etcdserverpb.StatusRequest;
import io.keyway.api.etcdserverpb.StatusResponse;
import io.keyway.api.etcdserverpb.WatchGrpcClient;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.GrpcProbe;
import io.keyway.gateway.testing.ServerFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** gRPC on the client port against an in-memory member: dispatch, limits, and Unimplemented answers. */
class GrpcServicesTest {
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

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void putAndRange() {
    GrpcProbe.Reply<?> put = grpc.call(KVGrpcClient.Put,
        PutRequest.newBuilder().setKey(bytes("g")).setValue(bytes("1")).build());
    assertEquals(GrpcStatus.OK, put.status());
    GrpcProbe.Reply<RangeResponse> range = grpc.call(KVGrpcClient.Range,
        RangeRequest.newBuilder().setKey(bytes("g")).build());
    assertEquals(GrpcStatus.OK, range.status());
    assertEquals(bytes("1"), range.body().getKvs(0).getValue());
    assertEquals(FakeMember.CLUSTER_ID, range.body().getHeader().getClusterId());
  }

  @Test
  void statusAndMemberList() {
    GrpcProbe.Reply<StatusResponse> status = grpc.call(MaintenanceGrpcClient.Status, StatusRequest.getDefaultInstance());
    assertEquals(GrpcStatus.OK, status.status());
    assertEquals("3.5.17", status.body().getVersion());
    assertEquals(FakeMember.MEMBER_ID, status.body().getLeader());
    assertEquals(7, status.body().getRaftIndex());
    assertEquals(6, status.body().getRaftAppliedIndex());
    assertEquals(2, status.body().getRaftTerm());
    assertEquals(4096, status.body().getDbSize());
    assertEquals(List.of(), status.body().getErrorsList());
    assertEquals(member.revision(), status.body().getHeader().getRevision());

    member.setLeader(0);
    try {
      assertEquals(List.of("etcdserver: no leader"),
          grpc.call(MaintenanceGrpcClient.Status, StatusRequest.getDefaultInstance()).body().getErrorsList());
    } finally {
      member.setLeader(FakeMember.MEMBER_ID);
    }

    GrpcProbe.Reply<MemberListResponse> list = grpc.call(ClusterGrpcClient.MemberList,
        MemberListRequest.getDefaultInstance());
    assertEquals(GrpcStatus.OK, list.status());
    assertEquals(0, list.body().getHeader().getRevision());
    assertEquals(FakeMember.MEMBER_ID, list.body().getHeader().getMemberId());
    assertEquals(List.of(server.url("")), list.body().getMembers(0).getClientURLsList());
  }

  @Test
  void unimplementedMethodsAnswerUnimplemented() {
    GrpcProbe.Reply<?> lease = grpc.call(LeaseGrpcClient.LeaseGrant, LeaseGrantRequest.newBuilder().setTTL(5).build());
    assertEquals(GrpcStatus.UNIMPLEMENTED, lease.status());
    assertEquals("method LeaseGrant not implemented", lease.message());

    GrpcProbe.Reply<?> watch = grpc.call(WatchGrpcClient.Watch, WatchRequest.getDefaultInstance());
    assertEquals(GrpcStatus.UNIMPLEMENTED, watch.status());
    assertEquals("method Watch not implemented", watch.message());

    GrpcProbe.Reply<?> snapshot = grpc.call(MaintenanceGrpcClient.Snapshot, SnapshotRequest.getDefaultInstance());
    assertEquals(GrpcStatus.UNIMPLEMENTED, snapshot.status());

    GrpcProbe.Reply<?> unknownMethod = grpc.call(ServiceMethod.client(ServiceName.create("etcdserverpb", "KV"),
        "Bogus", GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(RangeResponse.newBuilder())),
        RangeRequest.getDefaultInstance());
    assertEquals(GrpcStatus.UNIMPLEMENTED, unknownMethod.status());
    assertEquals("unknown method Bogus for service etcdserverpb.KV", unknownMethod.message());

    GrpcProbe.Reply<?> unknownService = grpc.call(ServiceMethod.client(ServiceName.create("foo", "Bar"),
        "Baz", GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(RangeResponse.newBuilder())),
        RangeRequest.getDefaultInstance());
    assertEquals(GrpcStatus.UNIMPLEMENTED, unknownService.status());
    assertEquals("unknown service foo.Bar", unknownService.message());
  }

  @Test
  void messagesAboveTheReceiveLimitAreResourceExhausted() {
    PutRequest big = PutRequest.newBuilder().setKey(bytes("big"))
        .setValue(ByteString.copyFrom(new byte[2 * 1024 * 1024])).build();
    GrpcProbe.Reply<?> r = grpc.call(KVGrpcClient.Put, big);
    assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, r.status());
    assertEquals("grpc: received message larger than max (" + big.getSerializedSize() + " vs. 2097152)",
        r.message());
    // the next call on the same connection still works
    assertEquals(GrpcStatus.OK, grpc.call(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(bytes("x")).build())
        .status());
  }

  @Test
  void undecodableRequestIsInternal() {
    ServiceMethod<Buffer, Buffer> raw = ServiceMethod.client(ServiceName.create("etcdserverpb", "KV"), "Range",
        GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
    GrpcProbe.Reply<?> r = grpc.call(raw, Buffer.buffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
    assertEquals(GrpcStatus.INTERNAL, r.status());
    assertTrue(r.message().startsWith("grpc: error unmarshalling request: "), r.message());
  }
}
