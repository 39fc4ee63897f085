package io.keyway.raft;

import static io.keyway.raft.TestNodes.bs;
import static io.keyway.raft.TestNodes.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseStatus;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases end to end on a real single-member node: Raft, the lessor, expiry, keep-alive, restart. */
class LeaseNodeTest {
  @TempDir Path dir;
  int port;
  KeywayNode node;

  /** 500 ms elections: the minimum TTL is ceil(1.5 * 0.5 s) = 1 s, so expiry tests stay short. */
  NodeConfig config() {
    return TestNodes.single(dir, port).electionTimeoutMs(500).heartbeatIntervalMs(50).build();
  }

  @BeforeEach
  void start() throws Exception {
    port = TestNodes.freePort();
    node = KeywayNode.start(config());
    assertTrue(node.awaitLeader(Duration.ofSeconds(10)), "single member elects itself");
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static EtcdError failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    return assertInstanceOf(EtcdException.class, e.getCause()).error();
  }

  long grant(long id, long ttl) throws Exception {
    return await(node.grant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build())).getID();
  }

  void put(String key, long lease) throws Exception {
    await(node.put(PutRequest.newBuilder().setKey(bs(key)).setValue(bs("v")).setLease(lease).build()));
  }

  boolean exists(String key) throws Exception {
    return await(node.range(get(key))).getCount() == 1;
  }

  LeaseTimeToLiveResponse ttl(long id) throws Exception {
    return await(node.timeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build()));
  }

  /** Waits until {@code key} is gone; returns how long that took. */
  long awaitGone(String key, long timeoutMs) throws Exception {
    long started = System.nanoTime();
    while (exists(key)) {
      long waited = (System.nanoTime() - started) / 1_000_000;
      assertTrue(waited < timeoutMs, key + " still there after " + waited + " ms");
      Thread.sleep(50);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  @Test
  void grantAssignsAPositiveIdWithTheMemberPrefixAndTheMinimumTtl() throws Exception {
    assertEquals(1, node.config().minLeaseTtlSeconds());
    LeaseGrantResponse g = await(node.grant(LeaseGrantRequest.newBuilder().setTTL(0).build()));
    assertTrue(g.getID() > 0, Long.toHexString(g.getID()));
    assertEquals(node.memberId() & 0x7fff, g.getID() >>> 48, "2 bytes of member id on top, sign bit clear");
    assertEquals(1, g.getTTL());
    assertEquals(node.clusterId(), g.getHeader().getClusterId());
    assertEquals(node.memberId(), g.getHeader().getMemberId());
    assertTrue(g.getHeader().getRaftTerm() >= 1);
    long second = grant(0, 30);
    assertTrue(second != g.getID());
    assertEquals(List.of(g.getID(), second), await(node.leases(LeaseLeasesRequest.getDefaultInstance()))
        .getLeasesList().stream().map(LeaseStatus::getID).toList());
  }

  @Test
  void errorsAreEtcds() throws Exception {
    grant(42, 30);
    assertEquals(EtcdError.LEASE_EXIST, failure(node.grant(LeaseGrantRequest.newBuilder().setID(42).setTTL(5).build())));
    assertEquals(EtcdError.LEASE_TTL_TOO_LARGE,
        failure(node.grant(LeaseGrantRequest.newBuilder().setTTL(9_000_000_001L).build())));
    assertEquals(EtcdError.LEASE_NOT_FOUND, failure(node.revoke(LeaseRevokeRequest.newBuilder().setID(43).build())));
    assertEquals(EtcdError.LEASE_NOT_FOUND,
        failure(node.put(PutRequest.newBuilder().setKey(bs("k")).setLease(43).build())));
    LeaseKeepAliveResponse unknown = await(node.keepAlive(43));
    assertEquals(43, unknown.getID());
    assertEquals(0, unknown.getTTL());
    assertEquals(node.memberId(), unknown.getHeader().getMemberId());
    LeaseTimeToLiveResponse missing = ttl(43);
    assertEquals(-1, missing.getTTL());
    assertEquals(43, missing.getID());
  }

  @Test
  void revokeDeletesTheKeysInOneRevision() throws Exception {
    long id = grant(0, 30);
    put("a", id);
    put("b", id);
    put("c", 0);
    long before = node.revision();
    LeaseTimeToLiveResponse t = ttl(id);
    assertEquals(30, t.getGrantedTTL());
    assertTrue(t.getTTL() >= 29 && t.getTTL() <= 31, "remaining " + t.getTTL());
    assertEquals(List.of(bs("a"), bs("b")), t.getKeysList());

    long rev = await(node.revoke(LeaseRevokeRequest.newBuilder().setID(id).build())).getHeader().getRevision();

    assertEquals(before + 1, rev);
    assertTrue(!exists("a") && !exists("b") && exists("c"));
    assertEquals(-1, ttl(id).getTTL());
  }

  @Test
  void anExpiredLeaseTakesItsKeysWithItInOneRevision() throws Exception {
    long id = grant(0, 1);
    put("exp/a", id);
    put("exp/b", id);
    long before = node.revision();
    long took = awaitGone("exp/a", 5_000);
    assertTrue(took < 4_000, "a 1 s lease expired after " + took + " ms");
    assertTrue(!exists("exp/b"));
    assertEquals(before + 1, node.revision(), "both keys deleted by one revoke");
    assertEquals(-1, ttl(id).getTTL());
    assertEquals(0, await(node.keepAlive(id)).getTTL());
  }

  @Test
  void keepAliveExtendsALease() throws Exception {
    long id = grant(0, 2);
    put("ka", id);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < until) {
      LeaseKeepAliveResponse r = await(node.keepAlive(id));
      assertEquals(2, r.getTTL(), "keep-alive answers the granted TTL");
      assertEquals(id, r.getID());
      Thread.sleep(500);
    }
    assertTrue(exists("ka"), "kept alive for 5 s, more than twice its TTL");
    awaitGone("ka", 6_000);
  }

  @Test
  void aLeaseSurvivesARestartAndItsClockStartsAgain() throws Exception {
    long id = grant(0, 3);
    put("rs", id);
    node.close();
    node = null;
    Thread.sleep(3_500); // longer than the TTL: only a running clock could expire it
    node = KeywayNode.start(config());
    assertTrue(node.awaitLeader(Duration.ofSeconds(10)));

    assertTrue(exists("rs"), "nobody's clock ran while the member was down");
    LeaseTimeToLiveResponse t = ttl(id);
    assertEquals(3, t.getGrantedTTL());
    assertTrue(t.getTTL() >= 2, "the clock restarted at promotion (TTL + election timeout): " + t.getTTL());
    assertEquals(List.of(bs("rs")), t.getKeysList());
    long took = awaitGone("rs", 8_000);
    assertTrue(took >= 1_500, "expired after " + took + " ms, too soon for a restarted 3 s clock");
  }
}
