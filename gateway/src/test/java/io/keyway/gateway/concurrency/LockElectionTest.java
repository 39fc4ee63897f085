package io.keyway.gateway.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrpcClient;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.KVGrpcClient;
import io.keyway.api.v3electionpb.CampaignRequest;
import io.keyway.api.v3electionpb.CampaignResponse;
import io.keyway.api.v3electionpb.ElectionGrpcClient;
import io.keyway.api.v3electionpb.LeaderKey;
import io.keyway.api.v3electionpb.LeaderRequest;
import io.keyway.api.v3electionpb.LeaderResponse;
import io.keyway.api.v3electionpb.ProclaimRequest;
import io.keyway.api.v3electionpb.ProclaimResponse;
import io.keyway.api.v3electionpb.ResignRequest;
import io.keyway.api.v3electionpb.ResignResponse;
import io.keyway.api.v3lockpb.LockGrpcClient;
import io.keyway.api.v3lockpb.LockRequest;
import io.keyway.api.v3lockpb.LockResponse;
import io.keyway.api.v3lockpb.UnlockRequest;
import io.keyway.api.v3lockpb.UnlockResponse;
import io.keyway.gateway.KeywayServer;
import io.keyway.gateway.config.Cli;
import io.keyway.gateway.testing.Await;
import io.keyway.gateway.testing.FreePorts;
import io.keyway.gateway.testing.GrpcProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd's Lock and Election services over gRPC and HTTP/JSON, against a real single-member Keyway. */
class LockElectionTest {
  @TempDir
  static Path dataDir;

  private static int port;
  private static KeywayServer server;
  private static Vertx vertx;
  private static GrpcClient client;
  private static SocketAddress address;
  private static GrpcProbe grpc;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    port = FreePorts.next();
    int peerPort = FreePorts.next();
    String url = "http://127.0.0.1:" + port;
    String peer = "http://127.0.0.1:" + peerPort;
    Cli.Outcome outcome = Cli.parse(new String[] {"--name", "lock", "--data-dir", dataDir.resolve("d").toString(),
        "--listen-client-urls", url, "--advertise-client-urls", url, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--heartbeat-interval", "50", "--election-timeout", "500"},
        Map.of(), System.out, new PrintStream(System.err, true, StandardCharsets.UTF_8));
    server = KeywayServer.start(assertInstanceOf(Cli.Outcome.Run.class, outcome).config());
    vertx = Vertx.vertx();
    client = GrpcClient.client(vertx, new GrpcClientOptions(), new HttpClientOptions().setHttp2ClearTextUpgrade(false));
    address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    grpc = new GrpcProbe(vertx, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (http("/health", null).statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "no leader within 60 s");
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() {
    grpc.close();
    Await.result(client.close(), 10, TimeUnit.SECONDS);
    vertx.close();
    server.close();
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private static HttpResponse<String> http(String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20));
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static long grant(long ttl) {
    return grpc.call(LeaseGrpcClient.LeaseGrant, LeaseGrantRequest.newBuilder().setTTL(ttl).build()).body().getID();
  }

  private static void revoke(long id) {
    grpc.call(LeaseGrpcClient.LeaseRevoke, LeaseRevokeRequest.newBuilder().setID(id).build());
  }

  /** A Lock call left running; the returned future completes with its reply. */
  private static CompletableFuture<GrpcProbe.Reply<LockResponse>> lockAsync(String name, long lease) {
    return CompletableFuture.supplyAsync(() -> grpc.call(LockGrpcClient.Lock,
        LockRequest.newBuilder().setName(bytes(name)).setLease(lease).build()));
  }

  private static GrpcProbe.Reply<LockResponse> lock(String name, long lease) {
    return grpc.call(LockGrpcClient.Lock, LockRequest.newBuilder().setName(bytes(name)).setLease(lease).build());
  }

  private static void unlock(ByteString key) {
    GrpcProbe.Reply<UnlockResponse> r = grpc.call(LockGrpcClient.Unlock, UnlockRequest.newBuilder().setKey(key).build());
    assertEquals(GrpcStatus.OK, r.status(), r.message());
  }

  private static RangeResponse get(ByteString key) {
    return grpc.call(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(key).build()).body();
  }

  private static void pause(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }

  // ---- Lock -----------------------------------------------------------------------------------------------

  @Test
  void lockIsGrantedAtOnceWhenFreeAndKeyIsNameSlashLeaseHex() {
    long lease = grant(30);
    GrpcProbe.Reply<LockResponse> r = lock("free", lease);
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    assertEquals("free/" + Long.toHexString(lease), r.body().getKey().toStringUtf8());
    RangeResponse held = get(r.body().getKey());
    assertEquals(1, held.getKvsCount());
    assertEquals(lease, held.getKvs(0).getLease());
    assertEquals(held.getKvs(0).getCreateRevision(), r.body().getHeader().getRevision());
    unlock(r.body().getKey());
    assertEquals(0, get(r.body().getKey()).getKvsCount());
  }

  @Test
  void concurrentLockersAreServedOneAtATimeInCreateRevisionOrder() throws Exception {
    long l1 = grant(30);
    long l2 = grant(30);
    long l3 = grant(30);
    GrpcProbe.Reply<LockResponse> first = lock("fifo", l1);
    assertEquals(GrpcStatus.OK, first.status());
    CompletableFuture<GrpcProbe.Reply<LockResponse>> second = lockAsync("fifo", l2);
    pause(300); // the second queues before the third
    CompletableFuture<GrpcProbe.Reply<LockResponse>> third = lockAsync("fifo", l3);
    pause(500);
    assertFalse(second.isDone(), "second locker must wait for the holder");
    assertFalse(third.isDone(), "third locker must wait");
    unlock(first.body().getKey());
    GrpcProbe.Reply<LockResponse> got2 = second.get(10, TimeUnit.SECONDS);
    assertEquals("fifo/" + Long.toHexString(l2), got2.body().getKey().toStringUtf8());
    pause(300);
    assertFalse(third.isDone(), "third locker must wait for the second");
    unlock(got2.body().getKey());
    GrpcProbe.Reply<LockResponse> got3 = third.get(10, TimeUnit.SECONDS);
    assertEquals("fifo/" + Long.toHexString(l3), got3.body().getKey().toStringUtf8());
    // the grant's header is after the predecessor's delete
    assertTrue(got3.body().getHeader().getRevision() > got2.body().getHeader().getRevision());
    unlock(got3.body().getKey());
  }

  @Test
  void revokingTheHoldersLeaseReleasesTheLock() throws Exception {
    long holder = grant(30);
    long waiter = grant(30);
    assertEquals(GrpcStatus.OK, lock("expiry", holder).status());
    CompletableFuture<GrpcProbe.Reply<LockResponse>> next = lockAsync("expiry", waiter);
    pause(300);
    assertFalse(next.isDone());
    revoke(holder);
    GrpcProbe.Reply<LockResponse> got = next.get(10, TimeUnit.SECONDS);
    assertEquals(GrpcStatus.OK, got.status(), got.message());
    unlock(got.body().getKey());
  }

  @Test
  void expiringHolderLeaseReleasesTheLock() throws Exception {
    long holder = grant(2);
    long waiter = grant(30);
    assertEquals(GrpcStatus.OK, lock("ttl", holder).status());
    long t0 = System.nanoTime();
    GrpcProbe.Reply<LockResponse> got = lockAsync("ttl", waiter).get(15, TimeUnit.SECONDS);
    assertEquals(GrpcStatus.OK, got.status(), got.message());
    assertTrue(System.nanoTime() - t0 > TimeUnit.MILLISECONDS.toNanos(1000), "granted only after the expiry");
    unlock(got.body().getKey());
  }

  @Test
  void waiterWhoseOwnLeaseIsRevokedGetsSessionExpiredOnceThePredecessorsAreGone() throws Exception {
    long holder = grant(30);
    long waiter = grant(30);
    GrpcProbe.Reply<LockResponse> held = lock("lost", holder);
    CompletableFuture<GrpcProbe.Reply<LockResponse>> next = lockAsync("lost", waiter);
    pause(300);
    revoke(waiter);
    pause(300);
    assertFalse(next.isDone(), "etcd keeps waiting for the predecessors");
    unlock(held.body().getKey());
    GrpcProbe.Reply<LockResponse> got = next.get(10, TimeUnit.SECONDS);
    assertEquals(GrpcStatus.UNKNOWN, got.status());
    assertEquals("mutex: session is expired", got.message());
  }

  @Test
  void unknownLeaseIsUnknownWithEtcdsMessage() {
    GrpcProbe.Reply<LockResponse> r = lock("nolease", 123456789L);
    assertEquals(GrpcStatus.UNKNOWN, r.status());
    assertEquals("etcdserver: requested lease not found", r.message());
  }

  @Test
  void canceledWaiterGivesUpItsPlaceAndDeletesItsKey() throws Exception {
    long holder = grant(30);
    long waiter = grant(30);
    GrpcProbe.Reply<LockResponse> held = lock("cancel", holder);
    ByteString waiterKey = bytes("cancel/" + Long.toHexString(waiter));
    GrpcClientRequest<LockRequest, LockResponse> call =
        Await.result(client.request(address, LockGrpcClient.Lock), 10, TimeUnit.SECONDS);
    call.end(LockRequest.newBuilder().setName(bytes("cancel")).setLease(waiter).build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (get(waiterKey).getKvsCount() == 0) {
      assertTrue(System.nanoTime() < deadline, "waiter key never created");
      pause(50);
    }
    call.cancel();
    while (get(waiterKey).getKvsCount() != 0) {
      assertTrue(System.nanoTime() < deadline, "canceled waiter key not deleted");
      pause(50);
    }
    unlock(held.body().getKey());
  }

  @Test
  void lockOverHttpWithoutLeaseGrantsASixtySecondSessionLease() {
    HttpResponse<String> r = http("/v3/lock/lock", "{\"name\":\"aHR0cA==\"}");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().matches("\\{\"header\":\\{.*\"revision\":\"\\d+\".*},\"key\":\"[A-Za-z0-9+/=]+\"}"), r.body());
    String key = r.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
    RangeResponse held = get(ByteString.copyFrom(java.util.Base64.getDecoder().decode(key)));
    assertEquals(1, held.getKvsCount());
    assertTrue(held.getKvs(0).getLease() != 0);
    HttpResponse<String> u = http("/v3/lock/unlock", "{\"key\":\"" + key + "\"}");
    assertEquals(200, u.statusCode(), u.body());
    HttpResponse<String> bad = http("/v3/lock/lock", "{\"name\":\"eA==\",\"lease\":\"42\"}");
    assertEquals(500, bad.statusCode());
    assertTrue(bad.body().contains("\"message\":\"etcdserver: requested lease not found\""), bad.body());
    assertTrue(bad.body().contains("\"code\":2"), bad.body());
  }

  // ---- Election -------------------------------------------------------------------------------------------

  private static GrpcProbe.Reply<CampaignResponse> campaign(String name, long lease, String value) {
    return grpc.call(ElectionGrpcClient.Campaign,
        CampaignRequest.newBuilder().setName(bytes(name)).setLease(lease).setValue(bytes(value)).build());
  }

  private static GrpcProbe.Reply<LeaderResponse> leader(String name) {
    return grpc.call(ElectionGrpcClient.Leader, LeaderRequest.newBuilder().setName(bytes(name)).build());
  }

  @Test
  void campaignLeaderProclaimResign() throws Exception {
    long l1 = grant(30);
    long l2 = grant(30);
    GrpcProbe.Reply<LeaderResponse> none = leader("e1");
    assertEquals(GrpcStatus.UNKNOWN, none.status());
    assertEquals("election: no leader", none.message());

    GrpcProbe.Reply<CampaignResponse> won = campaign("e1", l1, "v1");
    assertEquals(GrpcStatus.OK, won.status(), won.message());
    LeaderKey lk = won.body().getLeader();
    assertEquals("e1", lk.getName().toStringUtf8());
    assertEquals("e1/" + Long.toHexString(l1), lk.getKey().toStringUtf8());
    assertEquals(l1, lk.getLease());
    assertEquals(won.body().getHeader().getRevision(), lk.getRev());

    GrpcProbe.Reply<LeaderResponse> current = leader("e1");
    assertEquals("v1", current.body().getKv().getValue().toStringUtf8());
    assertEquals(lk.getKey(), current.body().getKv().getKey());

    CompletableFuture<GrpcProbe.Reply<CampaignResponse>> challenger =
        CompletableFuture.supplyAsync(() -> campaign("e1", l2, "v2"));
    pause(500);
    assertFalse(challenger.isDone(), "the second candidate waits for the leader");

    GrpcProbe.Reply<ProclaimResponse> p = grpc.call(ElectionGrpcClient.Proclaim,
        ProclaimRequest.newBuilder().setLeader(lk).setValue(bytes("v1b")).build());
    assertEquals(GrpcStatus.OK, p.status(), p.message());
    assertEquals("v1b", leader("e1").body().getKv().getValue().toStringUtf8());

    GrpcProbe.Reply<ResignResponse> resigned =
        grpc.call(ElectionGrpcClient.Resign, ResignRequest.newBuilder().setLeader(lk).build());
    assertEquals(GrpcStatus.OK, resigned.status(), resigned.message());
    GrpcProbe.Reply<CampaignResponse> next = challenger.get(10, TimeUnit.SECONDS);
    assertEquals(GrpcStatus.OK, next.status(), next.message());
    assertEquals("v2", leader("e1").body().getKv().getValue().toStringUtf8());

    // the old leader key is stale now
    GrpcProbe.Reply<ProclaimResponse> stale = grpc.call(ElectionGrpcClient.Proclaim,
        ProclaimRequest.newBuilder().setLeader(lk).setValue(bytes("x")).build());
    assertEquals(GrpcStatus.UNKNOWN, stale.status());
    assertEquals("election: not leader", stale.message());
    GrpcProbe.Reply<ProclaimResponse> missing = grpc.call(ElectionGrpcClient.Proclaim,
        ProclaimRequest.newBuilder().setValue(bytes("x")).build());
    assertEquals("\"leader\" field must be provided", missing.message());
    assertEquals(GrpcStatus.UNKNOWN, missing.status());
    grpc.call(ElectionGrpcClient.Resign, ResignRequest.newBuilder().setLeader(next.body().getLeader()).build());
    assertEquals("election: no leader", leader("e1").message());
  }

  @Test
  void observeStreamsLeaderChangesOverGrpcAndHttp() throws Exception {
    long l1 = grant(30);
    long l2 = grant(30);
    LinkedBlockingQueue<LeaderResponse> seen = new LinkedBlockingQueue<>();
    GrpcClientRequest<LeaderRequest, LeaderResponse> call =
        Await.result(client.request(address, ElectionGrpcClient.Observe), 10, TimeUnit.SECONDS);
    call.response().onSuccess(resp -> resp.handler(seen::add));
    call.end(LeaderRequest.newBuilder().setName(bytes("obs")).build());

    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/election/observe"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"b2Jz\"}")).build();
    // grpc-gateway writes no header before the first message, so the response only starts with a leader
    CompletableFuture<HttpResponse<InputStream>> httpStarted =
        HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
    pause(300);
    assertTrue(seen.isEmpty(), "no leader yet: nothing sent");

    LeaderKey k1 = campaign("obs", l1, "a").body().getLeader();
    LeaderResponse first = seen.poll(10, TimeUnit.SECONDS);
    assertEquals("a", first.getKv().getValue().toStringUtf8());
    assertEquals(k1.getRev(), first.getHeader().getRevision());

    CompletableFuture<GrpcProbe.Reply<CampaignResponse>> second =
        CompletableFuture.supplyAsync(() -> campaign("obs", l2, "b"));
    grpc.call(ElectionGrpcClient.Proclaim, ProclaimRequest.newBuilder().setLeader(k1).setValue(bytes("a2")).build());
    assertEquals("a2", seen.poll(10, TimeUnit.SECONDS).getKv().getValue().toStringUtf8());
    grpc.call(ElectionGrpcClient.Resign, ResignRequest.newBuilder().setLeader(k1).build());
    LeaderResponse third = seen.poll(10, TimeUnit.SECONDS);
    assertEquals("b", third.getKv().getValue().toStringUtf8());
    assertEquals("obs/" + Long.toHexString(l2), third.getKv().getKey().toStringUtf8());
    second.get(10, TimeUnit.SECONDS);

    HttpResponse<InputStream> httpStream = httpStarted.get(10, TimeUnit.SECONDS);
    assertEquals(200, httpStream.statusCode());
    java.io.BufferedReader lines = new java.io.BufferedReader(
        new java.io.InputStreamReader(httpStream.body(), StandardCharsets.UTF_8));
    List<String> chunks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      chunks.add(lines.readLine());
    }
    assertTrue(chunks.get(0).startsWith("{\"result\":{\"header\":"), chunks.get(0));
    assertTrue(chunks.get(0).contains("\"value\":\"YQ==\""), chunks.get(0));
    assertTrue(chunks.get(1).contains("\"value\":\"YTI=\""), chunks.get(1));
    assertTrue(chunks.get(2).contains("\"value\":\"Yg==\""), chunks.get(2));
    httpStream.body().close();
    call.cancel();
    revoke(l2);
  }
}
