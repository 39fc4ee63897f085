package io.keyway.store;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.mvccpb.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random operation sequences over a small key alphabet, applied to the store and to {@link ReferenceModel},
 * compared after every step (responses or errors, events, revision, full state, lease attachments), with
 * close + reopen in the middle and at the end.
 */
class ModelBasedTest {
  private static final int STEPS = 700;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void storeBehavesLikeTheModel(long seed) {
    Random rnd = new Random(seed);
    OpGenerator gen = new OpGenerator(rnd);
    try (StoreFixture f = new StoreFixture(dir)) {
      ReferenceModel model = new ReferenceModel(f.leases.existing);
      for (int step = 1; step <= STEPS; step++) {
        String ctx = "seed " + seed + " step " + step;
        gen.observe(model.rev, model.compactRev);
        int kind = rnd.nextInt(100);
        f.events.clear();
        f.revisions.clear();
        if (kind < 3 && f.index > 0) {
          // a replayed entry: no effect at all
          long old = 1 + rnd.nextInt((int) f.index);
          long revBefore = f.store.revision();
          f.store.put(old, gen.put());
          f.store.txn(old, gen.txn(2));
          assertEquals(revBefore, f.store.revision(), ctx);
          assertTrue(f.events.isEmpty(), ctx);
          continue;
        }
        long index = f.next();
        if (kind < 35) {
          PutRequest p = gen.put();
          same(ctx + " " + p, () -> model.put(p), () -> f.store.put(index, p));
        } else if (kind < 45) {
          DeleteRangeRequest d = gen.delete();
          same(ctx + " " + d, () -> model.deleteRange(d), () -> f.store.deleteRange(index, d));
        } else if (kind < 70) {
          TxnRequest t = gen.txn(2);
          same(ctx + " " + t, () -> model.txn(t, 128), () -> f.store.txn(index, t));
        } else if (kind < 73) {
          List<ByteString> keys = List.of(gen.key(), gen.key());
          same(ctx + " revoke " + keys, () -> model.deleteKeys(keys), () -> f.store.deleteKeys(index, keys));
        } else if (kind < 78) {
          CompactionRequest c = gen.compaction();
          same(ctx + " " + c, () -> model.compact(c), () -> f.store.compact(index, c));
        } else if (kind < 80) {
          model.lastEvents = List.of();
          f.store.markApplied(index);
        } else {
          f.index--; // reads take no index
          RangeRequest r = gen.range();
          same(ctx + " " + r, () -> model.range(r), () -> f.store.range(r));
          model.lastEvents = List.of();
        }
        compareEvents(ctx, model, f);
        compareState(ctx, model, f, rnd);
        if (step == STEPS / 2) {
          f.reopen();
          compareState(ctx + " after reopen", model, f, rnd);
        }
      }
      compareHistory("seed " + seed, model, f.store);
      f.reopen();
      compareState("seed " + seed + " final reopen", model, f, rnd);
      compareHistory("seed " + seed + " final reopen", model, f.store);
      assertEquals(f.index, f.store.appliedIndex());
    }
  }

  private static void same(String ctx, Supplier<? extends Message> expected, Supplier<? extends Message> actual) {
    Message want = null;
    EtcdException err = null;
    try {
      want = expected.get();
    } catch (EtcdException e) {
      err = e;
    }
    EtcdException wantErr = err;
    try {
      Message got = actual.get();
      assertNull(wantErr, () -> ctx + ": expected " + wantErr.error() + " but got " + got);
      assertEquals(want, got, ctx);
    } catch (EtcdException e) {
      assertNotNull(wantErr, () -> ctx + ": unexpected " + e.error());
      assertEquals(wantErr.error(), e.error(), ctx);
    }
  }

  private static void compareEvents(String ctx, ReferenceModel model, StoreFixture f) {
    if (model.lastEvents.isEmpty()) {
      assertTrue(f.events.isEmpty(), ctx + ": unexpected events " + f.events);
    } else {
      assertEquals(List.of(model.rev), f.revisions, ctx);
      assertEquals(List.of(model.lastEvents), f.events, ctx);
    }
  }

  private static void compareState(String ctx, ReferenceModel model, StoreFixture f, Random rnd) {
    assertEquals(model.rev, f.store.revision(), ctx);
    assertEquals(Math.max(0, model.compactRev), f.store.compactRevision(), ctx);
    assertEquals(model.range(Reqs.all()), f.store.range(Reqs.all()), ctx);
    assertEquals(model.attachments(), f.leases.attachments, ctx + " lease attachments");
    long floor = Math.max(1, model.compactRev);
    long at = floor + (long) rnd.nextInt((int) (model.rev - floor + 1));
    RangeRequest old = Reqs.all().toBuilder().setRevision(at).build();
    assertEquals(model.range(old), f.store.range(old), ctx + " at revision " + at);
  }

  /** The history above the compaction revision, with prev_kv, matches the model's feed. */
  private static void compareHistory(String ctx, ReferenceModel model, KvStore store) {
    long from = Math.max(1, model.compactRev + 1);
    List<RevisionChanges> history = store.changes(from, Long.MAX_VALUE, Integer.MAX_VALUE, true);
    List<RevisionChanges> expected = new ArrayList<>();
    for (long r = from; r <= model.rev; r++) {
      List<Event> evs = model.feed.get(r);
      if (evs != null) {
        expected.add(new RevisionChanges(r, evs));
      }
    }
    assertEquals(expected, history, ctx);
  }

  /** Random requests over a small alphabet, biased toward valid ones. */
  static final class OpGenerator {
    private static final String[] KEYS = {"a", "b", "c", "d", "ab", "a\0", "\u00ff", "e"};
    private static final String[] VALUES = {"", "x", "y", "zz"};
    private final Random rnd;
    private long rev = 1;
    private long compactRev = -1;

    OpGenerator(Random rnd) {
      this.rnd = rnd;
    }

    void observe(long rev, long compactRev) {
      this.rev = rev;
      this.compactRev = compactRev;
    }

    ByteString key() {
      return Reqs.bs(KEYS[rnd.nextInt(KEYS.length)]);
    }

    private ByteString value() {
      return Reqs.bs(VALUES[rnd.nextInt(VALUES.length)]);
    }

    private ByteString rangeEnd(ByteString key) {
      return switch (rnd.nextInt(6)) {
        case 0, 1 -> ByteString.EMPTY;
        case 2 -> Reqs.ZERO;
        case 3 -> prefixEnd(key);
        default -> key();
      };
    }

    private static ByteString prefixEnd(ByteString key) {
      byte[] b = key.toByteArray();
      for (int i = b.length - 1; i >= 0; i--) {
        if (b[i] != (byte) 0xff) {
          b[i]++;
          return ByteString.copyFrom(b, 0, i + 1);
        }
      }
      return Reqs.ZERO;
    }

    private long revision() {
      int k = rnd.nextInt(10);
      if (k < 5) {
        return 0;
      }
      if (k == 5) {
        return -1;
      }
      long lo = Math.max(compactRev - 1, -1);
      return lo + (long) rnd.nextInt((int) (rev + 2 - lo));
    }

    PutRequest put() {
      PutRequest.Builder p = PutRequest.newBuilder().setKey(key()).setValue(value());
      int l = rnd.nextInt(10);
      p.setLease(l < 6 ? 0 : l < 8 ? 1 : l < 9 ? 2 : 99);
      p.setPrevKv(rnd.nextInt(3) == 0);
      if (rnd.nextInt(10) == 0) {
        p.setIgnoreValue(true);
        if (rnd.nextInt(5) > 0) {
          p.clearValue();
        }
      }
      if (rnd.nextInt(10) == 0) {
        p.setIgnoreLease(true);
        if (rnd.nextInt(5) > 0) {
          p.setLease(0);
        }
      }
      if (rnd.nextInt(100) == 0) {
        p.clearKey();
      }
      return p.build();
    }

    DeleteRangeRequest delete() {
      ByteString k = key();
      return DeleteRangeRequest.newBuilder().setKey(k).setRangeEnd(rangeEnd(k)).setPrevKv(rnd.nextBoolean()).build();
    }

    RangeRequest range() {
      ByteString k = rnd.nextInt(8) == 0 ? Reqs.ZERO : key();
      RangeRequest.Builder r = RangeRequest.newBuilder().setKey(k).setRangeEnd(rangeEnd(k)).setRevision(revision());
      if (rnd.nextInt(3) == 0) {
        r.setLimit(rnd.nextInt(5) - 1);
      }
      if (rnd.nextInt(3) == 0) {
        r.setSortOrderValue(rnd.nextInt(40) == 0 ? 3 : rnd.nextInt(3));
        r.setSortTargetValue(rnd.nextInt(40) == 0 ? 7 : rnd.nextInt(5));
      }
      r.setKeysOnly(rnd.nextInt(5) == 0);
      r.setCountOnly(rnd.nextInt(8) == 0);
      if (rnd.nextInt(4) == 0) {
        long span = rev + 1;
        r.setMinModRevision(rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(span));
        r.setMaxModRevision(rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(span));
        r.setMinCreateRevision(rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(span));
        r.setMaxCreateRevision(rnd.nextInt(2) == 0 ? 0 : rnd.nextLong(span));
      }
      if (rnd.nextInt(100) == 0) {
        r.clearKey();
      }
      return r.build();
    }

    Compare compare() {
      ByteString k = key();
      Compare.Builder c = Compare.newBuilder().setKey(k).setResultValue(rnd.nextInt(4));
      if (rnd.nextInt(4) == 0) {
        c.setRangeEnd(rangeEnd(k));
      }
      switch (rnd.nextInt(5)) {
        case 0 -> c.setTarget(Compare.CompareTarget.VERSION).setVersion(rnd.nextInt(4));
        case 1 -> c.setTarget(Compare.CompareTarget.CREATE).setCreateRevision(rnd.nextLong(rev + 2));
        case 2 -> c.setTarget(Compare.CompareTarget.MOD).setModRevision(rnd.nextLong(rev + 2));
        case 3 -> c.setTarget(Compare.CompareTarget.VALUE).setValue(value());
        default -> c.setTarget(Compare.CompareTarget.LEASE).setLease(rnd.nextInt(3));
      }
      return c.build();
    }

    TxnRequest txn(int depth) {
      TxnRequest.Builder t = TxnRequest.newBuilder();
      int compares = rnd.nextInt(3);
      for (int i = 0; i < compares; i++) {
        t.addCompare(compare());
      }
      int success = rnd.nextInt(4);
      for (int i = 0; i < success; i++) {
        t.addSuccess(requestOp(depth));
      }
      int failure = rnd.nextInt(3);
      for (int i = 0; i < failure; i++) {
        t.addFailure(requestOp(depth));
      }
      return t.build();
    }

    private RequestOp requestOp(int depth) {
      int k = rnd.nextInt(depth > 0 ? 10 : 9);
      RequestOp.Builder op = RequestOp.newBuilder();
      if (k < 3) {
        op.setRequestRange(range());
      } else if (k < 6) {
        op.setRequestPut(put());
      } else if (k < 9) {
        op.setRequestDeleteRange(delete());
      } else {
        op.setRequestTxn(txn(depth - 1));
      }
      return op.build();
    }

    CompactionRequest compaction() {
      long lo = compactRev - 1;
      long r = lo + (long) rnd.nextInt((int) (rev + 2 - lo));
      return CompactionRequest.newBuilder().setRevision(r).setPhysical(rnd.nextBoolean()).build();
    }
  }
}
