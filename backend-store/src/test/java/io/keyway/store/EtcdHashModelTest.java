package io.keyway.store;

import static io.keyway.store.Reqs.del;
import static io.keyway.store.Reqs.op;
import static io.keyway.store.Reqs.put;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random histories with compactions (logical and physical) and reopens, hashed by the store and by
 * {@link EtcdHashOracle}, etcd's own bookkeeping of generations and compaction: HashKV must agree at every
 * revision, errors included. Few keys, so keys die and come back across compactions.
 */
class EtcdHashModelTest {
  private static final List<String> KEYS = List.of("a", "b", "c", "d", "\u00ff");
  private static final int STEPS = 300;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void hashesAsEtcdAtEveryRevision(long seed) {
    Random rnd = new Random(seed);
    EtcdHashOracle etcd = new EtcdHashOracle();
    try (StoreFixture f = new StoreFixture(dir)) {
      for (int step = 1; step <= STEPS; step++) {
        f.events.clear();
        f.revisions.clear();
        int dice = rnd.nextInt(100);
        if (dice < 5) {
          long current = f.store.revision();
          long from = Math.max(1, f.store.compactRevision() + 1);
          if (from <= current) {
            long at = from + rnd.nextInt((int) (current - from + 1));
            f.store.compact(f.next(), CompactionRequest.newBuilder().setRevision(at)
                .setPhysical(rnd.nextBoolean()).build());
            etcd.compact(at);
            compareAll(f, etcd, "seed " + seed + " step " + step + " after compacting at " + at);
          }
          continue;
        }
        if (dice < 7) {
          f.reopen(); // whatever physical compaction had not finished is redone now
          continue;
        }
        try {
          if (dice < 50) {
            f.store.put(f.next(), put(key(rnd), "v" + rnd.nextInt(3), rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 0));
          } else if (dice < 70) {
            String from = key(rnd);
            f.store.deleteRange(f.next(), rnd.nextBoolean() ? del(from) : del(from, key(rnd)));
          } else {
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            for (int i = rnd.nextInt(4); i >= 0; i--) {
              RequestOp o = rnd.nextInt(3) == 0 ? op(del(key(rnd))) : op(put(key(rnd), "t" + i));
              txn.addSuccess(o);
            }
            f.store.txn(f.next(), txn.build());
          }
        } catch (EtcdException e) {
          // a txn putting one key twice: refused by both, nothing written
        }
        for (int i = 0; i < f.revisions.size(); i++) {
          etcd.apply(f.revisions.get(i), f.events.get(i));
        }
        if (step % 20 == 0) {
          compareAll(f, etcd, "seed " + seed + " step " + step);
        }
      }
      compareAll(f, etcd, "seed " + seed + " at the end");
      f.reopen();
      compareAll(f, etcd, "seed " + seed + " after reopening");
    }
  }

  private static String key(Random rnd) {
    return KEYS.get(rnd.nextInt(KEYS.size()));
  }

  private static void compareAll(StoreFixture f, EtcdHashOracle etcd, String ctx) {
    long current = f.store.revision();
    for (long rev = -1; rev <= current + 1; rev++) {
      EtcdHashOracle.Answer expected = etcd.hashKv(rev);
      EtcdHashOracle.Answer actual;
      try {
        KvHash h = f.store.hashKv(rev);
        actual = new EtcdHashOracle.Answer(h.hash(), h.compactRevision(), null);
      } catch (EtcdException e) {
        actual = new EtcdHashOracle.Answer(0, 0, e.error());
      }
      assertEquals(expected, actual, ctx + ": HashKV(" + rev + ") at revision " + current);
    }
  }
}
