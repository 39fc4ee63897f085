package io.keyway.bench;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Writes N distinct keys as gRPC txns of 128 puts (etcd's default --max-txn-ops), 16 txns in flight. */
final class BulkLoad {
  static final int PER_TXN = 128;
  static final int VALUE_SIZE = 64;

  private BulkLoad() {}

  /** Returns the seconds it took; throws on the first failed txn. */
  static double load(Vertx vertx, GrpcConnections grpc, long keys, int lanes) throws BenchException {
    ByteString value = ByteString.copyFrom(Payloads.value(VALUE_SIZE, 4));
    long batches = (keys + PER_TXN - 1) / PER_TXN;
    AtomicLong nextBatch = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(lanes);
    long start = System.nanoTime();
    for (int i = 0; i < lanes; i++) {
      int lane = i;
      ((VertxInternal) vertx).createEventLoopContext().runOnContext(v ->
          nextTxn(grpc, lane, keys, batches, value, nextBatch, failure, done));
    }
    try {
      if (!done.await(30, TimeUnit.MINUTES)) {
        throw new BenchException("bulk load of " + keys + " keys did not finish in 30 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
    if (failure.get() != null) {
      throw new BenchException("bulk load failed: " + failure.get(), failure.get());
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void nextTxn(GrpcConnections grpc, int lane, long keys, long batches, ByteString value,
      AtomicLong nextBatch, AtomicReference<Throwable> failure, CountDownLatch done) {
    long batch = nextBatch.getAndIncrement();
    if (batch >= batches || failure.get() != null) {
      done.countDown();
      return;
    }
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (long k = batch * PER_TXN; k < Math.min(keys, (batch + 1) * PER_TXN); k++) {
      txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8(String.format("bench/rss/%08d", k))).setValue(value)));
    }
    grpc.kv(lane).txn(txn.build()).onComplete(ar -> {
      if (ar.failed()) {
        failure.compareAndSet(null, ar.cause());
      }
      nextTxn(grpc, lane, keys, batches, value, nextBatch, failure, done);
    });
  }
}
