package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jetcd 0.8.6 — a third-party etcd client with its own generated stubs over grpc-java — used unmodified against
 * the Keyway executable: KV, txn, compaction errors, watch, leases with keep-alive, lock, election, maintenance
 * and cluster. With {@code -Dkeyway.it.target=etcd} the same assertions hold against real etcd.
 */
class JetcdIT {
  private static final long WAIT_SECONDS = 30;

  private static ServerProcess server;
  private static Client client;

  @BeforeAll
  static void start() {
    server = ServerUnderTest.start("jetcd");
    client = Client.builder().endpoints(server.clientUrl()).build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** The gRPC status a failed unary call carries (jetcd hands it through as a StatusRuntimeException). */
  private static Status failure(CompletableFuture<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(WAIT_SECONDS, TimeUnit.SECONDS));
    return Status.fromThrowable(e.getCause());
  }

  private static void assertStatus(Status.Code code, String message, Status actual) {
    assertEquals(code, actual.getCode(), actual::toString);
    assertEquals(message, actual.getDescription());
  }

  @Test
  void putGetDeleteAndPrefixRange() throws Exception {
    KV kv = client.getKVClient();
    PutResponse first = await(kv.put(bytes("jkv/a"), bytes("1")));
    assertFalse(first.hasPrevKv());
    PutResponse second = await(kv.put(bytes("jkv/a"), bytes("2"), PutOption.builder().withPrevKV().build()));
    assertTrue(second.hasPrevKv());
    assertEquals("1", text(second.getPrevKv().getValue()));
    assertEquals(first.getHeader().getRevision() + 1, second.getHeader().getRevision());
    await(kv.put(bytes("jkv/b"), bytes("3")));
    await(kv.put(bytes("jkw"), bytes("outside")));

    GetResponse all = await(kv.get(bytes("jkv/"), GetOption.builder().isPrefix(true).build()));
    assertEquals(2, all.getCount());
    assertEquals(List.of("jkv/a", "jkv/b"), all.getKvs().stream().map(k -> text(k.getKey())).toList());
    KeyValue a = all.getKvs().get(0);
    assertEquals(first.getHeader().getRevision(), a.getCreateRevision());
    assertEquals(second.getHeader().getRevision(), a.getModRevision());
    assertEquals(2, a.getVersion());

    GetResponse counted = await(kv.get(bytes("jkv/"), GetOption.builder().isPrefix(true).withCountOnly(true).build()));
    assertEquals(2, counted.getCount());
    assertTrue(counted.getKvs().isEmpty());

    GetResponse old = await(kv.get(bytes("jkv/a"), GetOption.builder().withRevision(first.getHeader().getRevision()).build()));
    assertEquals("1", text(old.getKvs().get(0).getValue()));

    var deleted = await(kv.delete(bytes("jkv/"), DeleteOption.builder().isPrefix(true).withPrevKV(true).build()));
    assertEquals(2, deleted.getDeleted());
    assertEquals(2, deleted.getPrevKvs().size());
    assertEquals(0, await(kv.get(bytes("jkv/a"))).getCount());
    assertEquals(1, await(kv.get(bytes("jkw"))).getCount());
  }

  @Test
  void txnTakesTheBranchItsComparesChoose() throws Exception {
    KV kv = client.getKVClient();
    await(kv.put(bytes("jtxn"), bytes("v1")));
    TxnResponse hit = await(kv.txn()
        .If(new Cmp(bytes("jtxn"), Cmp.Op.EQUAL, CmpTarget.value(bytes("v1"))))
        .Then(Op.put(bytes("jtxn"), bytes("v2"), PutOption.DEFAULT), Op.get(bytes("jtxn"), GetOption.DEFAULT))
        .Else(Op.put(bytes("jtxn"), bytes("else"), PutOption.DEFAULT))
        .commit());
    assertTrue(hit.isSucceeded());
    assertEquals(1, hit.getPutResponses().size());
    assertEquals("v2", text(hit.getGetResponses().get(0).getKvs().get(0).getValue()));

    TxnResponse miss = await(kv.txn()
        .If(new Cmp(bytes("jtxn"), Cmp.Op.GREATER, CmpTarget.version(5)))
        .Then(Op.delete(bytes("jtxn"), DeleteOption.DEFAULT))
        .Else(Op.get(bytes("jtxn"), GetOption.DEFAULT))
        .commit());
    assertFalse(miss.isSucceeded());
    assertEquals("v2", text(miss.getGetResponses().get(0).getKvs().get(0).getValue()));

    // the same key twice in one txn is refused before anything is applied
    assertStatus(Status.Code.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request", failure(kv.txn()
        .Then(Op.put(bytes("jtxn"), bytes("x"), PutOption.DEFAULT), Op.put(bytes("jtxn"), bytes("y"), PutOption.DEFAULT))
        .commit()));
  }

  @Test
  void compactedRevisionsAreRefusedWithEtcdsError() throws Exception {
    KV kv = client.getKVClient();
    long before = await(kv.put(bytes("jcompact"), bytes("old"))).getHeader().getRevision();
    long after = await(kv.put(bytes("jcompact"), bytes("new"))).getHeader().getRevision();
    await(kv.compact(after));

    assertStatus(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted",
        failure(kv.get(bytes("jcompact"), GetOption.builder().withRevision(before).build())));
    assertStatus(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision",
        failure(kv.get(bytes("jcompact"), GetOption.builder().withRevision(after + 1000).build())));
  }

  @Test
  void watchDeliversPutsAndDeletesWithPrevKv() throws Exception {
    KV kv = client.getKVClient();
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    WatchOption options = WatchOption.builder().isPrefix(true).withPrevKV(true).build();
    try (Watch.Watcher watcher = client.getWatchClient().watch(bytes("jwatch/"), options,
        (WatchResponse r) -> events.addAll(r.getEvents()))) {
      // the watch is registered asynchronously; write until the first event shows it is live
      WatchEvent first = null;
      for (int i = 0; i < 50 && first == null; i++) {
        await(kv.put(bytes("jwatch/probe"), bytes("p" + i)));
        first = events.poll(200, TimeUnit.MILLISECONDS);
      }
      assertNotNull(first, "no watch event arrived");
      Thread.sleep(300);
      events.clear();

      await(kv.put(bytes("jwatch/k"), bytes("v1")));
      await(kv.put(bytes("jwatch/k"), bytes("v2")));
      await(kv.delete(bytes("jwatch/k")));
      await(kv.put(bytes("jwatchX"), bytes("outside the prefix")));

      WatchEvent put1 = next(events);
      WatchEvent put2 = next(events);
      WatchEvent del = next(events);
      assertEquals(WatchEvent.EventType.PUT, put1.getEventType());
      assertEquals("v1", text(put1.getKeyValue().getValue()));
      assertEquals("v2", text(put2.getKeyValue().getValue()));
      assertEquals("v1", text(put2.getPrevKV().getValue()));
      assertEquals(WatchEvent.EventType.DELETE, del.getEventType());
      assertEquals("jwatch/k", text(del.getKeyValue().getKey()));
      assertEquals("v2", text(del.getPrevKV().getValue()));
      assertEquals(null, events.poll(500, TimeUnit.MILLISECONDS), "an event outside the prefix was delivered");
    }
  }

  @Test
  void watchFromAnOldRevisionReplaysHistory() throws Exception {
    KV kv = client.getKVClient();
    long start = await(kv.put(bytes("jhist"), bytes("a"))).getHeader().getRevision();
    await(kv.put(bytes("jhist"), bytes("b")));
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch.Watcher watcher = client.getWatchClient().watch(bytes("jhist"),
        WatchOption.builder().withRevision(start).build(), (WatchResponse r) -> events.addAll(r.getEvents()))) {
      assertEquals("a", text(next(events).getKeyValue().getValue()));
      assertEquals("b", text(next(events).getKeyValue().getValue()));
    }
  }

  @Test
  void watchOnACompactedRevisionFailsWithCompactedException() throws Exception {
    KV kv = client.getKVClient();
    long old = await(kv.put(bytes("jwc"), bytes("1"))).getHeader().getRevision();
    long now = await(kv.put(bytes("jwc"), bytes("2"))).getHeader().getRevision();
    await(kv.compact(now));
    CompletableFuture<Throwable> error = new CompletableFuture<>();
    try (Watch.Watcher watcher = client.getWatchClient().watch(bytes("jwc"),
        WatchOption.builder().withRevision(old).build(), r -> { }, error::complete)) {
      Throwable t = error.get(WAIT_SECONDS, TimeUnit.SECONDS);
      CompactedException compacted = assertInstanceOf(CompactedException.class, t);
      assertTrue(compacted.getCompactedRevision() >= now, () -> "compact revision " + compacted.getCompactedRevision());
    }
  }

  @Test
  void leasesGrantKeepAliveAttachAndRevoke() throws Exception {
    var leases = client.getLeaseClient();
    long id = await(leases.grant(60)).getID();
    assertTrue(id != 0);
    await(client.getKVClient().put(bytes("jlease"), bytes("v"), PutOption.builder().withLeaseId(id).build()));

    LeaseTimeToLiveResponse ttl = await(leases.timeToLive(id, LeaseOption.builder().withAttachedKeys().build()));
    assertEquals(60, ttl.getGrantedTTL());
    assertTrue(ttl.getTTL() > 0 && ttl.getTTL() <= 60, () -> "ttl " + ttl.getTTL());
    assertEquals(List.of("jlease"), ttl.getKeys().stream().map(JetcdIT::text).toList());

    assertEquals(60, await(leases.keepAliveOnce(id)).getTTL());

    BlockingQueue<LeaseKeepAliveResponse> renewals = new LinkedBlockingQueue<>();
    try (var keepAlive = leases.keepAlive(id, new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveResponse value) {
        renewals.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    })) {
      LeaseKeepAliveResponse renewal = renewals.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(renewal, "no keep-alive response");
      assertEquals(id, renewal.getID());
      assertEquals(60, renewal.getTTL());
    }

    await(leases.revoke(id));
    assertEquals(0, await(client.getKVClient().get(bytes("jlease"))).getCount());
    assertStatus(Status.Code.NOT_FOUND, "etcdserver: requested lease not found", failure(leases.revoke(id)));
    // a lease that does not exist cannot carry a key
    assertStatus(Status.Code.NOT_FOUND, "etcdserver: requested lease not found", failure(client.getKVClient()
        .put(bytes("jlease"), bytes("v"), PutOption.builder().withLeaseId(id).build())));
  }

  @Test
  void lockIsExclusiveUntilUnlocked() throws Exception {
    var leases = client.getLeaseClient();
    long holderLease = await(leases.grant(60)).getID();
    long waiterLease = await(leases.grant(60)).getID();
    var lock = client.getLockClient();
    LockResponse held = await(lock.lock(bytes("jlock"), holderLease));
    assertTrue(text(held.getKey()).startsWith("jlock/"), text(held.getKey()));

    CompletableFuture<LockResponse> waiting = lock.lock(bytes("jlock"), waiterLease);
    assertThrows(TimeoutException.class, () -> waiting.get(1, TimeUnit.SECONDS), "second locker got the lock");
    await(lock.unlock(held.getKey()));
    LockResponse next = await(waiting);
    assertFalse(text(next.getKey()).equals(text(held.getKey())));
    await(lock.unlock(next.getKey()));
    await(leases.revoke(holderLease));
    await(leases.revoke(waiterLease));
  }

  @Test
  void electionCampaignLeaderAndResign() throws Exception {
    var leases = client.getLeaseClient();
    long lease = await(leases.grant(60)).getID();
    var election = client.getElectionClient();
    CampaignResponse won = await(election.campaign(bytes("jelect"), lease, bytes("me")));
    assertEquals("jelect", text(won.getLeader().getName()));
    assertEquals("me", text(await(election.leader(bytes("jelect"))).getKv().getValue()));
    await(election.proclaim(won.getLeader(), bytes("me-again")));
    assertEquals("me-again", text(await(election.leader(bytes("jelect"))).getKv().getValue()));
    await(election.resign(won.getLeader()));
    // jetcd turns the server's "election: no leader" into its own exception type
    CompletableFuture<?> noLeader = election.leader(bytes("jelect"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> noLeader.get(WAIT_SECONDS, TimeUnit.SECONDS));
    assertInstanceOf(NoLeaderException.class, e.getCause());
    await(leases.revoke(lease));
  }

  @Test
  void maintenanceAndClusterDescribeTheMember() throws Exception {
    StatusResponse status = await(client.getMaintenanceClient().statusMember(server.clientUrl()));
    assertTrue(status.getVersion().startsWith("3."), status.getVersion());
    assertTrue(status.getDbSize() > 0);
    assertEquals(status.getHeader().getMemberId(), status.getLeader());
    assertTrue(status.getRaftIndex() > 0);

    var members = await(client.getClusterClient().listMember()).getMembers();
    assertEquals(1, members.size());
    assertEquals("jetcd", members.get(0).getName());
    assertEquals(List.of(server.clientUrl()), members.get(0).getClientURIs().stream().map(Object::toString).toList());

    long revision = await(client.getKVClient().put(bytes("jhash"), bytes("v"))).getHeader().getRevision();
    var hash = await(client.getMaintenanceClient().hashKV(server.clientUrl(), revision));
    assertTrue(hash.getHash() != 0);
    assertEquals(revision, hash.getHeader().getRevision());
  }

  private static WatchEvent next(BlockingQueue<WatchEvent> events) throws InterruptedException {
    WatchEvent e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(e, "watch event did not arrive");
    return e;
  }
}
