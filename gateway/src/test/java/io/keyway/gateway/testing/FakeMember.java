package io.keyway.gateway.testing;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.MemberView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An in-memory, single-member stand-in for the Raft layer, for transport tests: plain single-key and
 * prefix KV semantics, futures completed on its own thread as the real node's are. Behaviour can be
 * overridden per test with {@link #failNext} or {@link #rangeHook}.
 */
public final class FakeMember implements EtcdKv, MemberView, AutoCloseable {
  public static final long CLUSTER_ID = 0x1234L;
  public static final long MEMBER_ID = 0xabcdL;

  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fake-raft");
    t.setDaemon(true);
    return t;
  });
  private final Map<ByteString, KeyValue> data = new ConcurrentSkipListMap<>(ByteString.unsignedLexicographicalComparator());
  private volatile long revision = 1;
  private volatile long leader = MEMBER_ID;
  private volatile boolean learner;
  private volatile RuntimeException nextFailure;
  /** When set, ranges run this instead of the store (e.g. to throw or to never complete). */
  public volatile Function<RangeRequest, CompletableFuture<RangeResponse>> rangeHook;

  /** The next KV call fails with {@code failure} (an EtcdException, or any bug-like exception). */
  public void failNext(RuntimeException failure) {
    this.nextFailure = failure;
  }

  public void setLeader(long leader) {
    this.leader = leader;
  }

  public void setLearner(boolean learner) {
    this.learner = learner;
  }

  private <T> CompletableFuture<T> async(Supplier<T> op) {
    RuntimeException failure = nextFailure;
    nextFailure = null;
    return CompletableFuture.supplyAsync(() -> {
      if (failure != null) {
        throw failure;
      }
      return op.get();
    }, thread);
  }

  @Override
  public CompletableFuture<RangeResponse> range(RangeRequest r) {
    Function<RangeRequest, CompletableFuture<RangeResponse>> hook = rangeHook;
    if (hook != null) {
      return hook.apply(r);
    }
    return async(() -> {
      if (r.getKey().isEmpty()) {
        throw EtcdError.KEY_NOT_PROVIDED.exception();
      }
      List<KeyValue> kvs = select(r.getKey(), r.getRangeEnd());
      RangeResponse.Builder b = RangeResponse.newBuilder().setHeader(header()).setCount(kvs.size());
      if (!r.getCountOnly()) {
        b.addAllKvs(kvs);
      }
      return b.build();
    });
  }

  @Override
  public CompletableFuture<PutResponse> put(PutRequest r) {
    return async(() -> {
      if (r.getKey().isEmpty()) {
        throw EtcdError.KEY_NOT_PROVIDED.exception();
      }
      synchronized (this) {
        long rev = ++revision;
        KeyValue prev = data.get(r.getKey());
        data.put(r.getKey(), KeyValue.newBuilder().setKey(r.getKey()).setValue(r.getValue())
            .setCreateRevision(prev == null ? rev : prev.getCreateRevision()).setModRevision(rev)
            .setVersion(prev == null ? 1 : prev.getVersion() + 1).build());
        PutResponse.Builder b = PutResponse.newBuilder().setHeader(header());
        if (r.getPrevKv() && prev != null) {
          b.setPrevKv(prev);
        }
        return b.build();
      }
    });
  }

  @Override
  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
    return async(() -> {
      synchronized (this) {
        List<KeyValue> kvs = select(r.getKey(), r.getRangeEnd());
        if (!kvs.isEmpty()) {
          revision++;
        }
        kvs.forEach(kv -> data.remove(kv.getKey()));
        return DeleteRangeResponse.newBuilder().setHeader(header()).setDeleted(kvs.size()).build();
      }
    });
  }

  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest r) {
    return async(() -> TxnResponse.newBuilder().setHeader(header()).setSucceeded(true).build());
  }

  @Override
  public CompletableFuture<CompactionResponse> compact(CompactionRequest r) {
    return async(() -> CompactionResponse.newBuilder().setHeader(header()).build());
  }

  private List<KeyValue> select(ByteString key, ByteString end) {
    if (end.isEmpty()) {
      KeyValue kv = data.get(key);
      return kv == null ? List.of() : List.of(kv);
    }
    return data.values().stream()
        .filter(kv -> ByteString.unsignedLexicographicalComparator().compare(kv.getKey(), key) >= 0)
        .filter(kv -> ByteString.unsignedLexicographicalComparator().compare(kv.getKey(), end) < 0)
        .toList();
  }

  @Override public long clusterId() { return CLUSTER_ID; }

  @Override public long memberId() { return MEMBER_ID; }

  @Override public String name() { return "fake"; }

  @Override public long term() { return 2; }

  @Override public long leaderId() { return leader; }

  @Override public boolean isLearner() { return learner; }

  @Override public long raftIndex() { return 7; }

  @Override public long appliedIndex() { return 6; }

  @Override public long revision() { return revision; }

  @Override public long dbSize() { return 4096; }

  @Override public long dbSizeInUse() { return 4096; }

  @Override
  public List<Member> members() {
    return List.of(Member.newBuilder().setID(MEMBER_ID).setName("fake")
        .addPeerURLs("http://127.0.0.1:2380").build());
  }

  @Override
  public ResponseHeader header() {
    return ResponseHeader.newBuilder().setClusterId(CLUSTER_ID).setMemberId(MEMBER_ID)
        .setRevision(revision).setRaftTerm(term()).build();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
