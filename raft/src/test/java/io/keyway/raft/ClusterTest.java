package io.keyway.raft;

import static io.keyway.raft.TestNodes.get;
import static io.keyway.raft.TestNodes.getSerializable;
import static io.keyway.raft.TestNodes.peerUrl;
import static io.keyway.raft.TestNodes.prefix;
import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.MemberAddRequest;
import io.keyway.api.etcdserverpb.MemberUpdateRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three members in one JVM, bootstrapped from --initial-cluster like an etcd cluster. */
class ClusterTest {
  @TempDir Path dir;
  final int[] ports = TestNodes.freePorts(3);
  final KeywayNode[] nodes = new KeywayNode[3];

  NodeConfig config(int i, long snapshotCount) {
    return TestNodes.member(dir, ports, i, "three").snapshotCount(snapshotCount).build();
  }

  void startAll(long snapshotCount) throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes[i] = KeywayNode.start(config(i, snapshotCount));
    }
    for (KeywayNode n : nodes) {
      assertTrue(n.awaitLeader(Duration.ofSeconds(30)), "leader elected");
    }
  }

  @AfterEach
  void stopAll() {
    for (KeywayNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  KeywayNode leader() {
    for (KeywayNode n : nodes) {
      if (n != null && n.isLeader()) {
        return n;
      }
    }
    throw new AssertionError("no leader");
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

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void replicatesAndForwardsWrites() throws Exception {
    startAll(100_000);
    long clusterId = nodes[0].clusterId();
    Set<Long> memberIds = new HashSet<>();
    for (KeywayNode n : nodes) {
      assertEquals(clusterId, n.clusterId());
      memberIds.add(n.memberId());
      List<Member> members = n.members();
      assertEquals(3, members.size());
    }
    assertEquals(3, memberIds.size());
    KeywayNode leader = leader();
    for (KeywayNode n : nodes) {
      assertEquals(leader.memberId(), n.leaderId());
      assertEquals(leader.term(), n.term());
    }

    PutResponse onLeader = leader.put(put("k", "from-leader")).get(20, TimeUnit.SECONDS);
    assertEquals(2, onLeader.getHeader().getRevision());
    for (KeywayNode f : followers()) {
      // ReadIndex on a follower: the leader's acknowledged write is visible at once
      RangeResponse r = f.range(get("k")).get(20, TimeUnit.SECONDS);
      assertEquals("from-leader", r.getKvs(0).getValue().toStringUtf8());
      assertEquals(f.memberId(), r.getHeader().getMemberId());
      assertEquals(clusterId, r.getHeader().getClusterId());
    }

    // a follower forwards writes to the leader and answers once it applied them itself
    KeywayNode follower = followers().get(0);
    PutResponse onFollower = follower.put(put("k2", "from-follower")).get(20, TimeUnit.SECONDS);
    assertEquals(3, onFollower.getHeader().getRevision());
    assertEquals(follower.memberId(), onFollower.getHeader().getMemberId());
    assertEquals("from-follower",
        follower.range(getSerializable("k2")).get(20, TimeUnit.SECONDS).getKvs(0).getValue().toStringUtf8());
    assertEquals("from-follower",
        leader.range(get("k2")).get(20, TimeUnit.SECONDS).getKvs(0).getValue().toStringUtf8());

    List<CompletableFuture<PutResponse>> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(nodes[i % 3].put(put("many/" + i, "v" + i)));
    }
    Set<Long> revisions = new HashSet<>();
    for (var f : many) {
      assertTrue(revisions.add(f.get(30, TimeUnit.SECONDS).getHeader().getRevision()));
    }
    assertEquals(300, revisions.size());
    for (KeywayNode n : nodes) {
      eventually(() -> n.revision() == 303, "revision 303 on " + n.name());
      assertEquals(300, n.range(prefix("many/", true)).get(20, TimeUnit.SECONDS).getCount());
    }
  }

  @Test
  void followersLearnACommitWithoutWaitingForAHeartbeat() throws Exception {
    startAll(100_000);
    KeywayNode leader = leader();
    for (KeywayNode n : nodes) {
      eventually(() -> n.raftIndex() == leader.raftIndex(), "start-up entries committed on " + n.name());
    }
    // from now on heartbeats only every 6 s (JRaft: election timeout / electionHeartbeatFactor 10)
    for (KeywayNode n : nodes) {
      n.raftEndpoint().node().resetElectionTimeoutMs(60_000);
    }
    for (int round = 0; round < 3; round++) {
      KeywayNode via = followers().get(round % 2);
      KeywayNode other = followers().get(1 - round % 2);
      // the follower answers once it applied the write, so once it learnt of the commit: within seconds of
      // the write, not at the next heartbeat
      PutResponse put = via.put(put("push/" + round, "v")).get(3, TimeUnit.SECONDS);
      assertEquals(via.memberId(), put.getHeader().getMemberId());
      long committed = leader.raftIndex();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (other.raftIndex() < committed) {
        assertTrue(System.nanoTime() < deadline, "the other follower learns the commit before the next heartbeat");
        Thread.sleep(10);
      }
    }
  }

  @Test
  void withoutQuorumRequestsTimeOut() throws Exception {
    // only one of three members runs: no leader can be elected
    nodes[0] = KeywayNode.start(config(0, 100_000).toBuilder().requestTimeoutMs(1500).build());
    assertEquals(0, nodes[0].leaderId());
    long started = System.nanoTime();
    var put = nodes[0].put(put("k", "v"));
    var e = assertThrows(ExecutionException.class, () -> put.get(20, TimeUnit.SECONDS));
    assertEquals(EtcdError.TIMEOUT, ((EtcdException) e.getCause()).error());
    assertEquals("etcdserver: request timed out", e.getCause().getMessage());
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(1400), "waited for the timeout");
    var read = nodes[0].range(get("k"));
    e = assertThrows(ExecutionException.class, () -> read.get(20, TimeUnit.SECONDS));
    assertEquals(EtcdError.TIMEOUT, ((EtcdException) e.getCause()).error());
    // a serializable read needs no quorum
    assertEquals(0, nodes[0].range(getSerializable("k")).get(20, TimeUnit.SECONDS).getCount());
  }

  @Test
  void laggingFollowerCatchesUpFromASnapshot() throws Exception {
    // a snapshot every 40 entries lets JRaft purge the log, so a member that was away must install a snapshot
    startAll(40);
    KeywayNode away = followers().get(0);
    int awayIndex = List.of(nodes).indexOf(away);
    long awayMember = away.memberId();
    away.close();
    nodes[awayIndex] = null;

    KeywayNode leader = leader();
    for (int i = 0; i < 300; i++) {
      leader.put(put(String.format("lag/%03d", i), "v" + i)).get(20, TimeUnit.SECONDS);
    }
    long revision = leader.revision();
    // the leader no longer holds the entries the returning member misses: only a snapshot can bring it back
    assertThrows(com.alipay.sofa.jraft.error.LogNotFoundException.class,
        () -> leader.raftNode().readCommittedUserLog(100), "leader log purged past index 100");

    nodes[awayIndex] = KeywayNode.start(config(awayIndex, 40));
    KeywayNode back = nodes[awayIndex];
    // watchers hold on to the store; the listener must survive the store being replaced by the snapshot
    Set<Long> notified = ConcurrentHashMap.newKeySet();
    back.store().addChangeListener((rev, events) -> notified.add(rev));
    assertEquals(awayMember, back.memberId());
    eventually(() -> back.revision() == revision, "the returning member catches up");
    RangeResponse all = back.range(prefix("lag/", true)).get(20, TimeUnit.SECONDS);
    assertEquals(300, all.getCount());
    assertEquals("v299", all.getKvs(299).getValue().toStringUtf8());
    // and it keeps replicating afterwards
    PutResponse after = leader().put(put("lag/after", "x")).get(20, TimeUnit.SECONDS);
    eventually(() -> back.revision() == after.getHeader().getRevision(), "replication after the snapshot");
    eventually(() -> notified.contains(after.getHeader().getRevision()), "change listener after the snapshot");
    assertNotEquals(0, back.leaderId());
  }

  @Test
  void memberUpdateMovesTheRaftAddress() throws Exception {
    startAll(100_000);
    KeywayNode moving = followers().get(0);
    int movingIndex = List.of(nodes).indexOf(moving);
    int otherIndex = List.of(nodes).indexOf(followers().get(1));
    int newPort = TestNodes.freePort();
    leader().memberUpdate(MemberUpdateRequest.newBuilder().setID(moving.memberId())
        .addPeerURLs(peerUrl(newPort)).build()).get(20, TimeUnit.SECONDS);

    // as etcd's procedure has it, the member is restarted on its new URL once it knows of the update (JRaft only
    // applies a restarted member's log once a leader tells it the commit index, and the leader now talks to the
    // new address only)
    eventually(() -> moving.members().stream().anyMatch(m -> m.getPeerURLsList().contains(peerUrl(newPort))),
        "the moving member applied its update");
    // the member restarts listening on its new peer URL only: the others must reach it there
    moving.close();
    nodes[movingIndex] = null;
    long before = leader().put(put("moved/before", "v")).get(20, TimeUnit.SECONDS).getHeader().getRevision();
    NodeConfig movedConfig = config(movingIndex, 100_000).toBuilder()
        .listenPeerUrls(List.of(peerUrl(newPort))).build();
    KeywayNode moved = KeywayNode.start(movedConfig);
    nodes[movingIndex] = moved;
    eventually(() -> moved.revision() >= before, "the moved member catches up at its new address");

    // without the third member, every write needs the moved one: it keeps replicating
    nodes[otherIndex].close();
    nodes[otherIndex] = null;
    long after = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (after < 0) {
      try {
        after = nodes[3 - movingIndex - otherIndex].put(put("moved/after", "w")).get(20, TimeUnit.SECONDS)
            .getHeader().getRevision();
      } catch (ExecutionException e) {
        // a leader election between the two remaining members
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
    long written = after;
    eventually(() -> moved.revision() >= written, "the moved member replicates without the third member");
    assertEquals("w", moved.range(getSerializable("moved/after")).get(20, TimeUnit.SECONDS).getKvs(0).getValue()
        .toStringUtf8());
  }

  @Test
  void maxLearnersLimitsLearnerAdds() throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes[i] = KeywayNode.start(config(i, 100_000).toBuilder().maxLearners(2).build());
    }
    for (KeywayNode n : nodes) {
      assertTrue(n.awaitLeader(Duration.ofSeconds(30)), "leader elected");
    }
    // two learners fit (they never start: the member table takes them, the Reconciler waits for their peer ports)
    for (int i = 0; i < 2; i++) {
      MemberAddRequest add = MemberAddRequest.newBuilder().addPeerURLs(peerUrl(TestNodes.freePort()))
          .setIsLearner(true).build();
      addEventually(add);
    }
    var third = leader().memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peerUrl(TestNodes.freePort()))
        .setIsLearner(true).build());
    var e = assertThrows(ExecutionException.class, () -> third.get(20, TimeUnit.SECONDS));
    assertEquals("etcdserver: too many learner members in cluster", e.getCause().getMessage());
    // a voter is not a learner: it is still accepted
    addEventually(MemberAddRequest.newBuilder().addPeerURLs(peerUrl(TestNodes.freePort())).build());
  }

  /** MemberAdd, retried while the leader finds the cluster not yet healthy enough for a change (as etcd). */
  private void addEventually(MemberAddRequest add) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        leader().memberAdd(add).get(20, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof EtcdException ee) || ee.error() != EtcdError.UNHEALTHY
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }
}
