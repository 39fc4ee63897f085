package io.keyway.raft;

import static io.keyway.raft.TestNodes.bs;
import static io.keyway.raft.TestNodes.get;
import static io.keyway.raft.TestNodes.getSerializable;
import static io.keyway.raft.TestNodes.prefix;
import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.raft.cluster.ClusterIds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeywayNodeTest {
  @TempDir Path dir;
  int port;
  KeywayNode node;

  @BeforeEach
  void start() throws Exception {
    port = TestNodes.freePort();
    node = KeywayNode.start(TestNodes.single(dir, port).build());
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

  static EtcdException failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    return assertInstanceOf(EtcdException.class, e.getCause());
  }

  /**
   * The log index once Raft is quiet: JRaft appends its own entries (a no-op at each new term, configuration
   * changes) beside client entries, and the member makes its own start-up proposals (the member table's INIT, the PUBLISH of its attributes) on a
   * 500 ms timer, so the index must stay unchanged and applied for 1.5 s before it shows that a request added
   * nothing to the log.
   */
  long awaitIdle() throws InterruptedException {
    long last = -1;
    int stable = 0;
    for (int i = 0; i < 300; i++) {
      long now = node.raftIndex();
      stable = now == last && node.appliedIndex() == now ? stable + 1 : 0;
      if (stable >= 15) {
        return now;
      }
      last = now;
      Thread.sleep(100);
    }
    throw new AssertionError("log never settled");
  }

  void assertHeader(ResponseHeader h, long revision) {
    assertEquals(node.clusterId(), h.getClusterId());
    assertEquals(node.memberId(), h.getMemberId());
    assertTrue(h.getRaftTerm() >= 1, "raft term set");
    assertEquals(revision, h.getRevision());
  }

  @Test
  void putRangeTxnDeleteCompact() throws Exception {
    PutResponse p1 = await(node.put(put("a", "1")));
    assertHeader(p1.getHeader(), 2);
    PutResponse p2 = await(node.put(PutRequest.newBuilder(put("a", "2")).setPrevKv(true).build()));
    assertHeader(p2.getHeader(), 3);
    assertEquals("1", p2.getPrevKv().getValue().toStringUtf8());

    RangeResponse r = await(node.range(get("a")));
    assertHeader(r.getHeader(), 3);
    assertEquals(1, r.getCount());
    assertEquals("2", r.getKvs(0).getValue().toStringUtf8());
    assertEquals(2, r.getKvs(0).getCreateRevision());
    assertEquals(3, r.getKvs(0).getModRevision());
    assertEquals(2, r.getKvs(0).getVersion());

    TxnRequest cas = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(bs("a")).setTarget(Compare.CompareTarget.VALUE)
            .setResult(Compare.CompareResult.EQUAL).setValue(bs("2")))
        .addSuccess(RequestOp.newBuilder().setRequestPut(put("b", "from-txn")))
        .addSuccess(RequestOp.newBuilder().setRequestRange(get("a")))
        .addFailure(RequestOp.newBuilder().setRequestPut(put("c", "wrong")))
        .build();
    TxnResponse t = await(node.txn(cas));
    assertTrue(t.getSucceeded());
    assertHeader(t.getHeader(), 4);
    assertEquals(2, t.getResponsesCount());
    // nested responses keep the store's own header (revision only)
    assertEquals(0, t.getResponses(1).getResponseRange().getHeader().getMemberId());
    assertEquals("from-txn", await(node.range(get("b"))).getKvs(0).getValue().toStringUtf8());

    TxnResponse failed = await(node.txn(cas.toBuilder().setCompare(0,
        cas.getCompare(0).toBuilder().setValue(bs("nope"))).build()));
    assertFalse(failed.getSucceeded());
    assertHeader(failed.getHeader(), 5);

    DeleteRangeResponse d = await(node.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("a")).build()));
    assertEquals(1, d.getDeleted());
    assertHeader(d.getHeader(), 6);
    DeleteRangeResponse none = await(node.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs("zz")).build()));
    assertEquals(0, none.getDeleted());
    assertHeader(none.getHeader(), 6);
    assertEquals(0, await(node.range(get("a"))).getCount());

    assertHeader(await(node.compact(CompactionRequest.newBuilder().setRevision(4).setPhysical(true).build()))
        .getHeader(), 6);
    EtcdException compacted = failure(node.range(RangeRequest.newBuilder(get("a")).setRevision(3).build()));
    assertEquals(EtcdError.COMPACTED, compacted.error());
    assertEquals(EtcdError.COMPACTED,
        failure(node.compact(CompactionRequest.newBuilder().setRevision(4).build())).error());
    assertEquals(EtcdError.FUTURE_REV,
        failure(node.compact(CompactionRequest.newBuilder().setRevision(100).build())).error());
    // the old value at revision 5 (after compaction at 4) is still readable
    assertEquals("2", await(node.range(RangeRequest.newBuilder(get("a")).setRevision(5).build()))
        .getKvs(0).getValue().toStringUtf8());
  }

  @Test
  void readOnlyTxnServedWithoutTheLog() throws Exception {
    await(node.put(put("k", "v")));
    long index = awaitIdle();
    TxnRequest readOnly = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestRange(get("k"))).build();
    TxnResponse t = await(node.txn(readOnly));
    assertTrue(t.getSucceeded());
    assertHeader(t.getHeader(), 2);
    assertEquals("v", t.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8());
    assertEquals(index, awaitIdle(), "no log entry for a read-only txn");
  }

  @Test
  void validationErrorsBeforeProposing() throws Exception {
    long index = awaitIdle();
    assertEquals(EtcdError.KEY_NOT_PROVIDED, failure(node.put(PutRequest.getDefaultInstance())).error());
    assertEquals(EtcdError.KEY_NOT_PROVIDED, failure(node.range(RangeRequest.getDefaultInstance())).error());
    assertEquals(EtcdError.KEY_NOT_PROVIDED,
        failure(node.deleteRange(DeleteRangeRequest.getDefaultInstance())).error());
    TxnRequest.Builder tooMany = TxnRequest.newBuilder();
    for (int i = 0; i < 129; i++) {
      tooMany.addSuccess(RequestOp.newBuilder().setRequestPut(put("k" + i, "v")));
    }
    assertEquals(EtcdError.TOO_MANY_OPS, failure(node.txn(tooMany.build())).error());
    TxnRequest dup = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestPut(put("x", "1")))
        .addSuccess(RequestOp.newBuilder().setRequestPut(put("x", "2"))).build();
    assertEquals(EtcdError.DUPLICATE_KEY, failure(node.txn(dup)).error());
    assertEquals(index, awaitIdle(), "nothing was proposed");
  }

  @Test
  void requestTooLarge() throws Exception {
    String big = "x".repeat(1572864);
    EtcdException e = failure(node.put(put("big", big)));
    assertEquals(EtcdError.REQUEST_TOO_LARGE, e.error());
    assertEquals("etcdserver: request is too large", e.getMessage());
    // just below the limit is fine, and travels through the log as one entry
    String almost = "y".repeat(1572864 - 64);
    assertEquals(2, await(node.put(put("almost", almost))).getHeader().getRevision());
    assertEquals(almost.length(), await(node.range(get("almost"))).getKvs(0).getValue().size());
  }

  @Test
  void linearizableReadSeesEveryAcknowledgedWrite() throws Exception {
    for (int i = 0; i < 50; i++) {
      PutResponse p = await(node.put(put("seq", Integer.toString(i))));
      RangeResponse lin = await(node.range(get("seq")));
      assertEquals(Integer.toString(i), lin.getKvs(0).getValue().toStringUtf8());
      assertTrue(lin.getHeader().getRevision() >= p.getHeader().getRevision());
      // on the only member a serializable read also sees its own acknowledged writes
      assertEquals(Integer.toString(i), await(node.range(getSerializable("seq"))).getKvs(0).getValue().toStringUtf8());
    }
  }

  @Test
  void concurrentPutsGetDistinctConsecutiveRevisions() throws Exception {
    int threads = 16;
    int perThread = 125;
    long before = node.revision();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<PutResponse>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        List<CompletableFuture<PutResponse>> mine = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          mine.add(node.put(put("c/" + thread + "/" + i, "v" + i)));
        }
        List<PutResponse> done = new ArrayList<>();
        for (CompletableFuture<PutResponse> f : mine) {
          done.add(f.get(30, TimeUnit.SECONDS));
        }
        return done;
      }));
    }
    boolean[] seen = new boolean[threads * perThread];
    for (Future<List<PutResponse>> f : results) {
      for (PutResponse p : f.get(60, TimeUnit.SECONDS)) {
        ResponseHeader h = p.getHeader();
        assertEquals(node.clusterId(), h.getClusterId());
        assertEquals(node.memberId(), h.getMemberId());
        assertTrue(h.getRaftTerm() >= 1);
        int slot = (int) (h.getRevision() - before - 1);
        assertTrue(slot >= 0 && slot < seen.length, "revision in range: " + h.getRevision());
        assertFalse(seen[slot], "revision acknowledged twice: " + h.getRevision());
        seen[slot] = true;
      }
    }
    pool.shutdown();
    assertEquals(before + threads * perThread, node.revision());
    assertEquals(threads * perThread, await(node.range(prefix("c/", false))).getCount());
    // group commit packed them: far fewer log entries than writes
    assertTrue(node.appliedIndex() < threads * perThread, "applied index " + node.appliedIndex());
  }

  @Test
  void memberViewDescribesTheMember() throws Exception {
    node.setClientUrls(List.of("http://127.0.0.1:2379"));
    assertEquals("n1", node.name());
    assertEquals(node.memberId(), node.leaderId());
    assertFalse(node.isLearner());
    assertTrue(node.term() >= 1);
    await(node.put(put("m", "1")));
    assertEquals(2, node.revision());
    assertTrue(node.raftIndex() >= node.appliedIndex() && node.appliedIndex() >= 1,
        "raft " + node.raftIndex() + " applied " + node.appliedIndex());
    assertTrue(node.dbSize() > 0);
    List<Member> members = node.members();
    assertEquals(1, members.size());
    assertEquals(node.memberId(), members.get(0).getID());
    assertEquals(List.of(TestNodes.peerUrl(port)), members.get(0).getPeerURLsList());
    // new client URLs reach the member table by a PUBLISH through Raft, on the member's 500 ms timer
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!node.members().get(0).getClientURLsList().equals(List.of("http://127.0.0.1:2379"))
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    members = node.members();
    assertEquals(List.of("http://127.0.0.1:2379"), members.get(0).getClientURLsList());
    assertEquals(ClusterIds.memberId(List.of(TestNodes.peerUrl(port)), "keyway-test"), node.memberId());
    ResponseHeader h = node.header();
    assertHeader(h, 2);
    assertNotEquals(0, node.clusterId());
  }

  @Test
  void restartKeepsDataAndIdentity() throws Exception {
    for (int i = 0; i < 20; i++) {
      await(node.put(put("r/" + i, "v" + i)));
    }
    long member = node.memberId();
    long cluster = node.clusterId();
    long revision = node.revision();
    long term = node.term();
    node.close();
    // a restart ignores changed bootstrap flags: the data dir decides who the member is
    node = KeywayNode.start(TestNodes.single(dir, port).initialClusterToken("another-token").build());
    assertTrue(node.awaitLeader(Duration.ofSeconds(10)));
    assertEquals(member, node.memberId());
    assertEquals(cluster, node.clusterId());
    assertEquals(revision, node.revision());
    assertTrue(node.term() > term, "a new term after restart");
    RangeResponse all = await(node.range(prefix("r/", false)));
    assertEquals(20, all.getCount());
    PutResponse next = await(node.put(put("r/after", "x")));
    assertEquals(revision + 1, next.getHeader().getRevision());
  }

  @Test
  void closeUnderLoadCompletesEveryRequest() throws Exception {
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      all.add(node.put(put("load/" + i, "v")));
      all.add(node.range(get("load/" + i)));
    }
    node.close();
    int ok = 0;
    for (CompletableFuture<?> f : all) {
      try {
        f.get(20, TimeUnit.SECONDS);
        ok++;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : e.getCause();
        EtcdException etcd = assertInstanceOf(EtcdException.class, cause);
        assertEquals(EtcdError.STOPPED, etcd.error(), etcd.getMessage());
      }
    }
    assertTrue(ok < all.size(), "some requests were cut off by close (" + ok + " succeeded)");
    node = null;
  }

  @Test
  void closedNodeRejectsRequests() throws Exception {
    node.close();
    assertEquals(EtcdError.STOPPED, failure(node.put(put("a", "b"))).error());
    assertEquals(EtcdError.STOPPED, failure(node.range(get("a"))).error());
    node = null;
  }
}
