package io.keyway.gateway.concurrency;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.gateway.rpc.MemberClient;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What etcd's lock and election servers build on (its clientv3 concurrency recipes), in process, for one
 * caller: the member's KV and Lease services as that caller's client ({@link MemberClient}), the watchable
 * store, and the helpers the recipes share (session lease, key names, "first/last created under a prefix"
 * ranges, and how their errors reach the client).
 *
 * <p>Every KV and Lease request of a recipe goes through the caller's client, so with auth on it needs the
 * permissions it would need sent directly (etcd's servers use a client carrying the caller's token): a lock
 * reads its prefix and writes its key, a proclamation compares (reads) the leader key and writes it, and so
 * on. The watches need no check of their own: each watches keys the recipe has just read through the client
 * (etcd, too, checks a watch only when it is created).
 *
 * <p>Every step is asynchronous; continuations run on one small daemon thread that never blocks, so waiting
 * lockers and campaigners hold no thread at all.
 */
final class Recipes {
  /** etcd's concurrency.defaultSessionTTL: the lease granted for a request that names none. */
  static final long DEFAULT_SESSION_TTL = 60;

  private static final ExecutorService STEPS = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "keyway-lock-election");
    t.setDaemon(true);
    return t;
  });

  final EtcdKv kv;
  final EtcdLease lease;
  final WatchHub watches;

  Recipes(MemberClient client, WatchHub watches) {
    this.kv = client.kv();
    this.lease = client.lease();
    this.watches = watches;
  }

  static Executor steps() {
    return STEPS;
  }

  /**
   * The lease a request's session uses: its own, or (for 0, clientv3.NoLease) a new one with etcd's default
   * session TTL, which the server never keeps alive (its session is orphaned right away, as in etcd).
   */
  CompletableFuture<Long> sessionLease(long requested) {
    if (requested != 0) {
      return CompletableFuture.completedFuture(requested);
    }
    return lease.grant(LeaseGrantRequest.newBuilder().setTTL(DEFAULT_SESSION_TTL).build())
        .thenApply(r -> r.getID());
  }

  /** {@code prefix + "%x" of the lease}, the key a session owns under a lock or election prefix (Go's %x). */
  static ByteString sessionKey(ByteString prefix, long leaseId) {
    String hex = leaseId < 0 ? "-" + Long.toHexString(-leaseId) : Long.toHexString(leaseId);
    return prefix.concat(ByteString.copyFromUtf8(hex));
  }

  /** clientv3.GetPrefixRangeEnd. */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if ((end[i] & 0xff) < 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0}); // all 0xff: to the end of the keyspace
  }

  /** The oldest key under {@code prefix} (clientv3.WithFirstCreate). */
  static RangeRequest firstCreated(ByteString prefix) {
    return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix)).setLimit(1)
        .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND).build();
  }

  /** The newest key under {@code prefix} created at or before {@code maxCreateRev} (WithLastCreate + WithMaxCreateRev). */
  static RangeRequest lastCreatedBefore(ByteString prefix, long maxCreateRev) {
    return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix)).setLimit(1)
        .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.DESCEND)
        .setMaxCreateRevision(maxCreateRev).build();
  }

  static RequestOp get(ByteString key) {
    return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)).build();
  }

  static RequestOp get(RangeRequest range) {
    return RequestOp.newBuilder().setRequestRange(range).build();
  }

  static Compare createRevisionIs(ByteString key, long revision) {
    return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(revision).build();
  }

  /**
   * How a failure of the recipe's KV or Lease calls reaches the client. etcd's lock and election servers call
   * the member through an in-process clientv3, which turns etcd's errors into plain Go errors; returned by the
   * server handler they become gRPC Unknown with the same message (observed: a lock on an unknown lease is
   * 500 / code 2 "etcdserver: requested lease not found"). Errors outside etcd's catalogue keep their code.
   */
  static Throwable asServerError(Throwable failure) {
    Throwable t = RpcFailure.unwrap(failure);
    if (t instanceof EtcdException e && e.error() != null) {
      return new EtcdException(GrpcCode.UNKNOWN, e.getMessage());
    }
    return t;
  }

  /** A recipe's own error (errors.New in etcd): gRPC Unknown with exactly this message. */
  static EtcdException plainError(String message) {
    return new EtcdException(GrpcCode.UNKNOWN, message);
  }

  static boolean isCancellation(Throwable failure) {
    return RpcFailure.unwrap(failure) instanceof CancellationException;
  }
}
