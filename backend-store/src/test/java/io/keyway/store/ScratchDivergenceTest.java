package io.keyway.store;

import static org.junit.jupiter.api.Assertions.*;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDivergenceTest {
  @TempDir Path tmp;
  @Test
  void find() {
    ReferenceModel model = new ReferenceModel(CrashWriter.LEASES);
    try (RocksKvStore store = RocksKvStore.open(tmp, StoreOptions.defaults())) {
      store.setLeaseHooks(CrashWriter.leases());
      for (long i = 1; i <= 400; i++) {
        CrashWriter.Op op = CrashWriter.op(42, i);
        String a, b;
        try { CrashWriter.apply(store, i, op); } catch (Exception e) { throw e; }
        try {
          if (op instanceof CrashWriter.PutOp p) model.put(p.request());
          else if (op instanceof CrashWriter.DeleteOp d) model.deleteRange(d.request());
          else if (op instanceof CrashWriter.TxnOp t) model.txn(t.request(), 128);
          else if (op instanceof CrashWriter.CompactOp c) model.compact(c.request());
        } catch (io.keyway.api.EtcdException e) { }
        if (model.rev != store.revision()) fail("diverged at " + i + " op " + op + " model " + model.rev + " store " + store.revision());
      }
    }
  }
}
