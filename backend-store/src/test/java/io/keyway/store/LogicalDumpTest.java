package io.keyway.store;

import static io.keyway.store.Reqs.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogicalDumpTest {
  @TempDir Path tmp;

  private static byte[] dump(RocksKvStore store) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    long written = store.dump(out);
    assertEquals(bytes.size(), written);
    return bytes.toByteArray();
  }

  private static void fill(StoreFixture f) {
    for (int i = 0; i < 200; i++) {
      f.store.put(f.next(), put(String.format("k/%03d", i % 50), "value-" + i));
    }
  }

  @Test
  void sameDataGivesTheSameBytesWhateverTheFilesLookLike() {
    try (StoreFixture a = new StoreFixture(tmp.resolve("a")); StoreFixture b = new StoreFixture(tmp.resolve("b"))) {
      fill(a);
      fill(b);
      // different file histories: b is defragmented (rewritten, flushed) and reopened, a is not
      b.store.defragment();
      b.reopen();
      assertArrayEquals(dump(a.store), dump(b.store));
      assertArrayEquals(dump(a.store), dump(a.store), "a quiet store dumps the same bytes twice");
    }
  }

  @Test
  void aLoadedDumpIsTheSameStore() throws IOException {
    try (StoreFixture a = new StoreFixture(tmp.resolve("a"))) {
      fill(a);
      byte[] bytes = dump(a.store);
      Path copy = tmp.resolve("copy");
      RocksKvStore.load(copy, StoreOptions.defaults(), new DataInputStream(new ByteArrayInputStream(bytes)));
      try (RocksKvStore loaded = RocksKvStore.open(copy, StoreOptions.defaults())) {
        assertEquals(a.store.hash(), loaded.hash());
        assertEquals(a.store.revision(), loaded.revision());
        assertArrayEquals(bytes, dump(loaded));
      }
    }
  }

  @Test
  void aTruncatedDumpIsRefused() {
    try (StoreFixture a = new StoreFixture(tmp.resolve("a"))) {
      fill(a);
      byte[] bytes = dump(a.store);
      byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
      IOException e = assertThrows(IOException.class, () -> RocksKvStore.load(tmp.resolve("cut"),
          StoreOptions.defaults(), new DataInputStream(new ByteArrayInputStream(cut))));
      assertTrue(e.getMessage().startsWith("not a keyway snapshot"), e.getMessage());
    }
  }
}
