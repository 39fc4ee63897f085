package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.TxnRequest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.Set;

/**
 * Child process of {@link CrashTest}: applies the deterministic write stream {@link #op} to a store, from
 * the store's applied index on, and prints {@code APPLIED <index>} after each write returned, until killed.
 */
public final class CrashWriter {
  static final Set<Long> LEASES = Set.of(1L, 2L, 3L);

  /** One write of the stream, decided by (seed, index) alone. */
  sealed interface Op permits PutOp, DeleteOp, TxnOp, CompactOp {}

  record PutOp(PutRequest request) implements Op {}

  record DeleteOp(DeleteRangeRequest request) implements Op {}

  record TxnOp(TxnRequest request) implements Op {}

  record CompactOp(CompactionRequest request) implements Op {}

  static Op op(long seed, long index) {
    // SplittableRandom mixes its seed; java.util.Random with consecutive seeds starts out correlated
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + index);
    ByteString key = Reqs.bs("k" + rnd.nextInt(40));
    ByteString value = Reqs.bs("v" + index + "-" + "x".repeat(rnd.nextInt(200)));
    int kind = rnd.nextInt(100);
    if (kind < 65) {
      long lease = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(4) : 0; // lease 4 does not exist
      return new PutOp(PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease).build());
    }
    if (kind < 77) {
      DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setKey(key);
      if (rnd.nextBoolean()) {
        d.setRangeEnd(Reqs.bs("k" + rnd.nextInt(40)));
      }
      return new DeleteOp(d.build());
    }
    if (kind < 95) {
      TxnRequest.Builder t = TxnRequest.newBuilder()
          .addCompare(Reqs.cmpVersion("k" + rnd.nextInt(40), io.keyway.api.etcdserverpb.Compare.CompareResult.GREATER, 1));
      int n = 2 + rnd.nextInt(6);
      for (int i = 0; i < n; i++) {
        t.addSuccess(Reqs.op(Reqs.put("t" + i + "-" + rnd.nextInt(5), "v" + index)));
        t.addFailure(Reqs.op(Reqs.put("f" + i + "-" + rnd.nextInt(5), "v" + index)));
      }
      return new TxnOp(t.build());
    }
    return new CompactOp(CompactionRequest.newBuilder()
        .setRevision(index / 2 + rnd.nextInt(20) - 10).setPhysical(rnd.nextInt(4) == 0).build());
  }

  static void apply(KvStore store, long index, Op op) {
    try {
      if (op instanceof PutOp p) {
        store.put(index, p.request());
      } else if (op instanceof DeleteOp d) {
        store.deleteRange(index, d.request());
      } else if (op instanceof TxnOp t) {
        store.txn(index, t.request());
      } else if (op instanceof CompactOp c) {
        store.compact(index, c.request());
      }
    } catch (EtcdException e) {
      // an error is the entry's result; the entry is applied all the same
    }
  }

  static LeaseHooks leases() {
    return new LeaseHooks() {
      @Override public boolean exists(long leaseId) { return LEASES.contains(leaseId); }
      @Override public void attached(long leaseId, ByteString key) {}
      @Override public void detached(long leaseId, ByteString key) {}
    };
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    PrintStream out = System.out;
    RocksKvStore store = RocksKvStore.open(dir, StoreOptions.defaults());
    store.setLeaseHooks(leases());
    out.println("OPENED " + store.appliedIndex());
    out.flush();
    for (long index = Math.max(1, store.appliedIndex() + 1); ; index++) {
      apply(store, index, op(seed, index));
      out.println("APPLIED " + index);
      out.flush();
    }
  }
}
