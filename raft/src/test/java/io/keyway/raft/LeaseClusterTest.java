package io.keyway.raft;

import static io.keyway.raft.TestNodes.bs;
import static io.keyway.raft.TestNodes.get;
import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseStatus;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases on three members: forwarding to the leader's lessor, leader change, snapshot install. */
class LeaseClusterTest {
  @TempDir Path dir;
  final int[] ports = TestNodes.freePorts(3);
  final KeywayNode[] nodes = new KeywayNode[3];

  NodeConfig config(int i, long snapshotCount) {
    return TestNodes.member(dir, ports, i, "leases").snapshotCount(snapshotCount).build();
  }

  void startAll(long snapshotCount) throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes[i] = KeywayNode.start(config(i, snapshotCount));
    }
    for (KeywayNode n : nodes) {
      assertTrue(n.awaitLeader(Duration.ofSeconds(30)), "leader elected");
    }
    eventually(() -> leaderOrNull() != null && leaderOrNull().lessor().isPrimary(), "the leader's lessor promoted");
  }

  @AfterEach
  void stopAll() {
    for (KeywayNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  KeywayNode leaderOrNull() {
    for (KeywayNode n : nodes) {
      if (n != null && n.isLeader()) {
        return n;
      }
    }
    return null;
  }

  List<KeywayNode> followers() {
    List<KeywayNode> out = new ArrayList<>();
    for (KeywayNode n : nodes) {
      if (n != null && !n.isLeader()) {
        out.add(n);
      }
    }
    return out;
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  static long grant(KeywayNode n, long ttl) throws Exception {
    return await(n.grant(LeaseGrantRequest.newBuilder().setTTL(ttl).build())).getID();
  }

  static void putWithLease(KeywayNode n, String key, long lease) throws Exception {
    await(n.put(PutRequest.newBuilder().setKey(bs(key)).setValue(bs("v")).setLease(lease).build()));
  }

  @Test
  void followersServeLeasesThroughTheLeadersLessor() throws Exception {
    startAll(100_000);
    KeywayNode follower = followers().get(0);
    assertFalse(follower.lessor().isPrimary(), "no clocks on a follower");

    long id = grant(follower, 30);
    putWithLease(follower, "fw/a", id);

    LeaseKeepAliveResponse renewed = await(follower.keepAlive(id));
    assertEquals(30, renewed.getTTL(), "renewed by the leader, which answers the granted TTL");
    assertEquals(follower.memberId(), renewed.getHeader().getMemberId());
    assertEquals(0, await(follower.keepAlive(id + 1)).getTTL());

    LeaseTimeToLiveResponse ttl = await(follower.timeToLive(
        LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build()));
    assertTrue(ttl.getTTL() >= 28 && ttl.getTTL() <= 30, "the leader's clock, not a follower's forever: " + ttl);
    assertEquals(30, ttl.getGrantedTTL());
    assertEquals(List.of(bs("fw/a")), ttl.getKeysList());
    assertEquals(-1, await(follower.timeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id + 1).build()))
        .getTTL());

    for (KeywayNode n : nodes) {
      eventually(() -> n.lessor().contains(id), "the grant applied on " + n.name());
      assertEquals(List.of(id), await(n.leases(LeaseLeasesRequest.getDefaultInstance())).getLeasesList().stream()
          .map(LeaseStatus::getID).toList());
    }

    await(follower.revoke(LeaseRevokeRequest.newBuilder().setID(id).build()));
    assertEquals(0, await(follower.range(get("fw/a"))).getCount());
  }

  @Test
  void aNewLeaderRestartsTheClocksAndExpiresTheLease() throws Exception {
    startAll(100_000);
    KeywayNode oldLeader = leaderOrNull();
    long id = grant(oldLeader, 3);
    putWithLease(oldLeader, "nl/a", id);
    int index = List.of(nodes).indexOf(oldLeader);
    oldLeader.close();
    nodes[index] = null;

    eventually(() -> leaderOrNull() != null && leaderOrNull().lessor().isPrimary(), "a new leader promoted");
    KeywayNode survivor = followers().isEmpty() ? leaderOrNull() : followers().get(0);
    long started = System.nanoTime();
    eventually(() -> {
      try {
        return await(survivor.range(get("nl/a"))).getCount() == 0;
      } catch (Exception e) {
        return false;
      }
    }, "the new leader expires the lease");
    long took = (System.nanoTime() - started) / 1_000_000;
    assertTrue(took < 15_000, "expired " + took + " ms after the new leader took over");
    assertFalse(survivor.lessor().contains(id));
  }

  @Test
  void aMemberRestoredFromASnapshotKnowsTheLeasesOfTheSnapshot() throws Exception {
    // a snapshot every 40 entries lets JRaft purge the log: the returning member must install a snapshot
    startAll(40);
    KeywayNode leader = leaderOrNull();
    long old = grant(leader, 600);
    putWithLease(leader, "sn/old", old);
    KeywayNode away = followers().get(0);
    int awayIndex = List.of(nodes).indexOf(away);
    eventually(() -> away.lessor().contains(old), "the old lease reached the member that leaves");
    away.close();
    nodes[awayIndex] = null;

    long fresh = grant(leader, 600);
    putWithLease(leader, "sn/fresh", fresh);
    await(leader.revoke(LeaseRevokeRequest.newBuilder().setID(old).build()));
    for (int i = 0; i < 300; i++) {
      await(leader.put(put(String.format("sn/fill/%03d", i), "v")));
    }
    long revision = leader.revision();

    nodes[awayIndex] = KeywayNode.start(config(awayIndex, 40));
    KeywayNode back = nodes[awayIndex];
    eventually(() -> back.revision() == revision, "the returning member catches up");
    assertTrue(back.lessor().contains(fresh), "a lease granted while it was away");
    assertFalse(back.lessor().contains(old), "a lease revoked while it was away");
    assertEquals(List.of(bs("sn/fresh")), back.lessor().timeToLive(fresh, true).getKeysList());
    // a revoke applied after the snapshot finds the keys of the reloaded lease
    await(leader.revoke(LeaseRevokeRequest.newBuilder().setID(fresh).build()));
    eventually(() -> !back.lessor().contains(fresh), "the revoke replicated");
    assertEquals(0, await(back.range(TestNodes.getSerializable("sn/fresh"))).getCount());
  }
}
