package io.keyway.it;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.keyway.client.cache.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writers of seeded random traffic for the cache ITs through jetcd: puts (some JSON), deletes, prefix deletes
 * (several events at one revision), txns and writes just outside the prefix, over a small key set so keys are
 * created, changed and deleted many times. A request that fails (a member down, no leader) is counted and
 * skipped: the ITs compare the cache with a fresh range, not with what was sent.
 */
final class CacheWriters {
  private static final long REQUEST_SECONDS = 10;

  private final KV kv;
  private final String prefix;
  private final int keys;
  private final AtomicLong lastRevision = new AtomicLong();
  private final AtomicInteger acknowledged = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  /**
   * The random writes a cache test makes when {@code -Dkeyway.it.cache.writes=N} is given (issue #16's 10 000;
   * CI runs each test's own smaller default to stay short), else {@code ciDefault}.
   */
  static int writes(int ciDefault) {
    return Integer.getInteger("keyway.it.cache.writes", ciDefault);
  }

  /** Time for {@code writes} writes: {@code base} seconds, plus a second per 25 writes above 1 000. */
  static long secondsFor(int writes, long base) {
    return base + Math.max(0, writes - 1000) / 25;
  }

  CacheWriters(KV kv, String prefix, int keys) {
    this.kv = kv;
    this.prefix = prefix;
    this.keys = keys;
  }

  /** {@code writers} threads of {@code opsEach} requests each, seeded from {@code seed}; completes when all end. */
  CompletableFuture<Void> start(int writers, int opsEach, long seed) {
    var pool = Executors.newFixedThreadPool(writers, r -> {
      Thread t = new Thread(r, "cache-writer");
      t.setDaemon(true);
      return t;
    });
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Random random = new Random(seed * 31 + w);
      all.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < opsEach; i++) {
          step(random);
        }
      }, pool));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> pool.shutdown());
  }

  /** Puts keys 0..n-1 with their number as value. */
  void fill(int n) throws Exception {
    List<CompletableFuture<?>> puts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      puts.add(kv.put(key(i), Values.utf8(Integer.toString(i))).thenAccept(r -> acked(r.getHeader().getRevision())));
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }

  private ByteSequence key(int i) {
    return Values.utf8(prefix + "k" + i);
  }

  private ByteSequence randomKey(Random random) {
    return key(random.nextInt(keys));
  }

  private void step(Random random) {
    int dice = random.nextInt(100);
    try {
      long revision;
      if (dice < 50) {
        revision = await(kv.put(randomKey(random), Values.utf8("v" + random.nextInt(1000)))).getHeader().getRevision();
      } else if (dice < 60) {
        revision = await(kv.put(randomKey(random), Values.json(Map.of("n", random.nextInt(1000), "ok", true))))
            .getHeader().getRevision();
      } else if (dice < 83) {
        revision = await(kv.delete(randomKey(random))).getHeader().getRevision();
      } else if (dice < 86) {
        // k1, k10..k19, k100..: several keys deleted at one revision
        ByteSequence sub = Values.utf8(prefix + "k" + (1 + random.nextInt(9)));
        revision = await(kv.delete(sub, DeleteOption.builder().isPrefix(true).withPrevKV(true).build()))
            .getHeader().getRevision();
      } else if (dice < 96) {
        int b = random.nextInt(keys);
        ByteSequence a = randomKey(random);
        revision = await(kv.txn()
            .If(new Cmp(a, Cmp.Op.GREATER, CmpTarget.version(0)))
            .Then(Op.put(key(b), Values.utf8("t" + random.nextInt(1000)), PutOption.DEFAULT),
                Op.delete(key((b + 1 + random.nextInt(keys - 1)) % keys), DeleteOption.DEFAULT))
            .Else(Op.put(a, Values.utf8("e" + random.nextInt(1000)), PutOption.DEFAULT),
                Op.get(a, GetOption.DEFAULT))
            .commit()).getHeader().getRevision();
      } else {
        // next to the prefix but outside it: the cache must not see it
        revision = await(kv.put(Values.utf8(prefix.substring(0, prefix.length() - 1) + "~" + random.nextInt(5)),
            Values.utf8("outside"))).getHeader().getRevision();
      }
      acked(revision);
    } catch (ExecutionException | TimeoutException e) {
      failed.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void acked(long revision) {
    acknowledged.incrementAndGet();
    lastRevision.accumulateAndGet(revision, Math::max);
  }

  private static <T> T await(CompletableFuture<T> f) throws ExecutionException, TimeoutException,
      InterruptedException {
    return f.get(REQUEST_SECONDS, TimeUnit.SECONDS);
  }

  long lastRevision() {
    return lastRevision.get();
  }

  int acknowledged() {
    return acknowledged.get();
  }

  int failed() {
    return failed.get();
  }
}
