package io.keyway.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Closed-loop load with fixed concurrency: {@code lanes} independent loops, each sending its next request
 * when the previous one is answered. Throughput is what the server sustains at that concurrency; latency is
 * per request, as seen by the driver. Only requests started and finished inside the measured window count.
 */
final class ClosedLoop {
  private final Vertx vertx;
  private final int lanes;
  private final IntFunction<Future<?>> op;
  private final LatencyHistogram histogram = new LatencyHistogram();
  private final AtomicLong ops = new AtomicLong();
  private final AtomicLong latencySumNanos = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final Queue<String> errorSamples = new ConcurrentLinkedQueue<>();
  private volatile boolean measuring;
  private volatile boolean stopped;
  private CountDownLatch lanesDone;

  /** {@code op} gets the lane number (0..lanes-1) and returns the request's outcome. */
  ClosedLoop(Vertx vertx, int lanes, IntFunction<Future<?>> op) {
    this.vertx = vertx;
    this.lanes = lanes;
    this.op = op;
  }

  /** Runs warm-up, then the measured window around {@code meter}, then waits for the lanes to drain. */
  void run(Duration warmup, Duration measure, Meter meter, Side side) throws BenchException {
    lanesDone = new CountDownLatch(lanes);
    for (int i = 0; i < lanes; i++) {
      int lane = i;
      Context ctx = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
      ctx.runOnContext(v -> next(lane));
    }
    Server.sleepMillis(warmup.toMillis());
    meter.begin();
    long t0 = System.nanoTime();
    measuring = true;
    Server.sleepMillis(measure.toMillis());
    measuring = false;
    long t1 = System.nanoTime();
    meter.end();
    stopped = true;
    try {
      if (!lanesDone.await(60, TimeUnit.SECONDS)) {
        throw new BenchException(lanesDone.getCount() + " of " + lanes + " requests were still unanswered 60 s"
            + " after the load stopped");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
    double seconds = (t1 - t0) / 1e9;
    side.ops = ops.get();
    side.errors = errors.get();
    side.errorSamples.addAll(errorSamples);
    side.value = Meter.round1(ops.get() / seconds);
    side.opsPerSecond = side.value;
    if (ops.get() > 0) {
      side.avgMs = Meter.round2(latencySumNanos.get() / 1e6 / ops.get());
    }
    side.p50Ms = Meter.round2(histogram.percentileMillis(0.50));
    side.p99Ms = Meter.round2(histogram.percentileMillis(0.99));
    meter.fill(side, ops.get());
  }

  private void next(int lane) {
    if (stopped) {
      lanesDone.countDown();
      return;
    }
    boolean counted = measuring;
    long start = System.nanoTime();
    Future<?> f;
    try {
      f = op.apply(lane);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      if (counted && measuring) {
        if (ar.succeeded()) {
          long took = System.nanoTime() - start;
          histogram.record(took);
          latencySumNanos.addAndGet(took);
          ops.incrementAndGet();
        } else {
          errors.incrementAndGet();
          if (errorSamples.size() < 5) {
            errorSamples.add(String.valueOf(ar.cause()));
          }
        }
      } else if (ar.failed()) {
        // failures during warm-up are failures too
        errors.incrementAndGet();
        if (errorSamples.size() < 5) {
          errorSamples.add("(warm-up) " + ar.cause());
        }
      }
      next(lane);
    });
  }
}
