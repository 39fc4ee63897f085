package io.keyway.store;

import static org.junit.jupiter.api.Assertions.*;

import io.keyway.api.EtcdException;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL mid-stream, twice, and checks after each kill that every write the
 * child reported is in the store and that the store equals the reference model fed the same stream up to
 * the store's applied index; then that replaying applied entries is harmless and writing continues.
 */
class CrashTest {
  private static final long SEED = 42;

  @TempDir Path tmp;

  @Test
  void survivesSigkillMidStream() throws Exception {
    Path data = tmp.resolve("data");
    ReferenceModel model = new ReferenceModel(CrashWriter.LEASES);
    long modelIndex = 0;
    for (int round = 0; round < 2; round++) {
      long lastReported = runAndKill(data, 250 + round * 150);
      try (RocksKvStore store = RocksKvStore.open(data, StoreOptions.defaults())) {
        store.setLeaseHooks(CrashWriter.leases());
        long applied = store.appliedIndex();
        assertTrue(applied >= lastReported, "applied " + applied + " < reported " + lastReported);
        for (long i = modelIndex + 1; i <= applied; i++) {
          applyToModel(model, CrashWriter.op(SEED, i));
        }
        modelIndex = applied;
        assertSame(model, store, "round " + round);

        // replaying the tail of the log changes nothing
        for (long i = Math.max(1, applied - 20); i <= applied; i++) {
          CrashWriter.apply(store, i, CrashWriter.op(SEED, i));
        }
        assertSame(model, store, "round " + round + " after replay");
      }
    }
    // and the stream continues where it stopped
    try (RocksKvStore store = RocksKvStore.open(data, StoreOptions.defaults())) {
      store.setLeaseHooks(CrashWriter.leases());
      for (long i = modelIndex + 1; i <= modelIndex + 30; i++) {
        CrashWriter.Op op = CrashWriter.op(SEED, i);
        CrashWriter.apply(store, i, op);
        applyToModel(model, op);
      }
      assertSame(model, store, "after continuing");
    }
  }

  /** Starts the writer, lets it report at least {@code minWrites} more writes, SIGKILLs it. */
  private long runAndKill(Path data, int minWrites) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        CrashWriter.class.getName(), data.toString(), Long.toString(SEED));
    File err = tmp.resolve("writer-" + System.nanoTime() + ".err").toFile();
    pb.redirectError(err);
    Process p = pb.start();
    long last = -1;
    long opened = -2;
    int seen = 0;
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((line = in.readLine()) != null) {
        if (lines.size() < 5) {
          lines.add(line);
        }
        if (line.startsWith("OPENED ")) {
          opened = Long.parseLong(line.substring(7));
        } else if (line.startsWith("APPLIED ")) {
          long index = Long.parseLong(line.substring(8));
          assertEquals(last < 0 ? Math.max(1, opened + 1) : last + 1, index);
          last = index;
          if (++seen >= minWrites) {
            p.destroyForcibly(); // SIGKILL while the writer is in the middle of its stream
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          break;
        }
      }
    } finally {
      p.destroyForcibly();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(seen >= minWrites, "writer reported " + seen + " writes; first lines " + lines
        + "; stderr: " + Files.readString(err.toPath()));
    return last;
  }

  private static void applyToModel(ReferenceModel model, CrashWriter.Op op) {
    try {
      if (op instanceof CrashWriter.PutOp p) {
        model.put(p.request());
      } else if (op instanceof CrashWriter.DeleteOp d) {
        model.deleteRange(d.request());
      } else if (op instanceof CrashWriter.TxnOp t) {
        model.txn(t.request(), StoreOptions.DEFAULT_MAX_TXN_OPS);
      } else if (op instanceof CrashWriter.CompactOp c) {
        model.compact(c.request());
      }
    } catch (EtcdException e) {
      // same result as the store's
    }
  }

  private static void assertSame(ReferenceModel model, KvStore store, String ctx) {
    assertEquals(model.rev, store.revision(), ctx);
    assertEquals(Math.max(0, model.compactRev), store.compactRevision(), ctx);
    assertEquals(model.range(Reqs.all()), store.range(Reqs.all()), ctx);
    long from = Math.max(1, model.compactRev);
    for (long rev = from; rev <= model.rev; rev += Math.max(1, (model.rev - from) / 10)) {
      var r = Reqs.all().toBuilder().setRevision(rev).build();
      assertEquals(model.range(r), store.range(r), ctx + " at " + rev);
    }
  }
}
