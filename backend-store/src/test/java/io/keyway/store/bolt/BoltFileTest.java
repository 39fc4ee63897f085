package io.keyway.store.bolt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bbolt writer and reader against each other: trees of several levels, values over several pages, inline
 * and empty buckets; and damaged files refused. (Files of the real etcd are read in the raft module's
 * {@code EtcdSnapshotTest} and in {@code EtcdMigrationIT}.)
 */
class BoltFileTest {
  @TempDir Path tmp;

  private static final Random RANDOM = new Random(18);

  private static TreeMap<byte[], byte[]> entries(int n, int maxValue) {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    while (m.size() < n) {
      byte[] k = new byte[1 + RANDOM.nextInt(24)];
      RANDOM.nextBytes(k);
      byte[] v = new byte[RANDOM.nextInt(maxValue + 1)];
      RANDOM.nextBytes(v);
      m.put(k, v);
    }
    return m;
  }

  private Path write(String name, List<byte[]> bucketNames, List<TreeMap<byte[], byte[]>> contents, int pageSize)
      throws IOException {
    Path file = tmp.resolve(name);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      BoltWriter w = new BoltWriter(out, pageSize);
      for (int i = 0; i < bucketNames.size(); i++) {
        w.beginBucket(bucketNames.get(i));
        for (var e : contents.get(i).entrySet()) {
          w.put(e.getKey(), e.getValue());
        }
        w.endBucket();
      }
      long size = w.finish();
      assertEquals(size, Files.size(file));
      assertEquals(0, size % pageSize);
    }
    return file;
  }

  private static List<byte[][]> read(BoltReader.Bucket b) throws IOException {
    List<byte[][]> out = new ArrayList<>();
    b.forEach((k, v, nested) -> {
      assertFalse(nested);
      out.add(new byte[][] {k, v});
    });
    return out;
  }

  private static byte[] name(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void whatTheWriterWritesTheReaderReadsBack() throws IOException {
    for (int pageSize : new int[] {4096, 1024}) {
      List<byte[]> names = List.of(name("key"), name("alarm"), name("empty"), name("big"));
      List<TreeMap<byte[], byte[]>> contents = List.of(entries(20_000, 60), entries(3, 8),
          entries(0, 0), entries(40, 3 * pageSize));
      Path file = write("db-" + pageSize, names, contents, pageSize);
      try (BoltReader r = BoltReader.open(file, Files.size(file))) {
        assertEquals(pageSize, r.pageSize());
        assertEquals(Files.size(file), r.size());
        List<String> rootNames = new ArrayList<>();
        r.root().forEach((k, v, nested) -> {
          assertTrue(nested);
          rootNames.add(new String(k, StandardCharsets.UTF_8));
        });
        assertEquals(List.of("alarm", "big", "empty", "key"), rootNames, "top-level buckets in name order");
        for (int i = 0; i < names.size(); i++) {
          List<byte[][]> got = read(r.bucket(names.get(i)));
          List<byte[][]> want = contents.get(i).entrySet().stream()
              .map(e -> new byte[][] {e.getKey(), e.getValue()}).toList();
          assertEquals(want.size(), got.size());
          for (int j = 0; j < want.size(); j++) {
            assertArrayEquals(want.get(j)[0], got.get(j)[0]);
            assertArrayEquals(want.get(j)[1], got.get(j)[1]);
          }
        }
        assertNull(r.bucket(name("missing")));
      }
    }
  }

  @Test
  void smallBucketsAreInlineLargeOnesHaveTheirOwnPages() throws IOException {
    Path file = write("db", List.of(name("small"), name("large")), List.of(entries(2, 4), entries(500, 50)), 4096);
    try (BoltReader r = BoltReader.open(file, Files.size(file))) {
      List<Long> roots = new ArrayList<>();
      r.root().forEach((k, v, nested) ->
          roots.add(ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(0)));
      assertEquals(0L, roots.get(1), "small: inline (root page 0)");
      assertTrue(roots.get(0) >= 2, "large: a page of its own");
    }
  }

  @Test
  void keysOutOfOrderAreRefusedByTheWriter() throws IOException {
    try (FileChannel out = FileChannel.open(tmp.resolve("x"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      BoltWriter w = new BoltWriter(out);
      w.beginBucket(name("b"));
      w.put(name("b"), new byte[0]);
      assertThrows(IllegalArgumentException.class, () -> w.put(name("a"), new byte[0]));
    }
  }

  @Test
  void damagedFilesAreRefusedWithAReason() throws IOException {
    Path file = write("db", List.of(name("key")), List.of(entries(2000, 40)), 4096);
    byte[] good = Files.readAllBytes(file);

    Path truncated = tmp.resolve("truncated");
    Files.write(truncated, Arrays.copyOf(good, good.length - 4096));
    BoltFormatException e = assertThrows(BoltFormatException.class,
        () -> BoltReader.open(truncated, Files.size(truncated)));
    assertTrue(e.getMessage().startsWith("truncated database"), e.getMessage());

    byte[] noMagic = good.clone();
    noMagic[16] ^= 1;
    noMagic[4096 + 16] ^= 1;
    Path garbage = tmp.resolve("garbage");
    Files.write(garbage, noMagic);
    e = assertThrows(BoltFormatException.class, () -> BoltReader.open(garbage, Files.size(garbage)));
    assertEquals("invalid database: no bbolt meta page", e.getMessage());

    // the newer meta page damaged: bbolt falls back on the other one
    byte[] oneMeta = good.clone();
    oneMeta[4096 + 16 + 20] ^= 1;
    Path fallback = tmp.resolve("fallback");
    Files.write(fallback, oneMeta);
    try (BoltReader r = BoltReader.open(fallback, Files.size(fallback))) {
      assertEquals(2000, read(r.bucket(name("key"))).size());
    }

    // both meta checksums wrong
    byte[] bothMeta = oneMeta.clone();
    bothMeta[16 + 20] ^= 1;
    Path checksum = tmp.resolve("checksum");
    Files.write(checksum, bothMeta);
    e = assertThrows(BoltFormatException.class, () -> BoltReader.open(checksum, Files.size(checksum)));
    assertTrue(e.getMessage().startsWith("checksum error"), e.getMessage());

    // a page in the middle of the tree claims to be another page
    ByteBuffer meta = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
    byte[] badPage = good.clone();
    ByteBuffer.wrap(badPage).order(ByteOrder.LITTLE_ENDIAN).putLong(3 * 4096, 99);
    Path wrongId = tmp.resolve("wrong-id");
    Files.write(wrongId, badPage);
    try (BoltReader r = BoltReader.open(wrongId, Files.size(wrongId))) {
      e = assertThrows(BoltFormatException.class, () -> read(r.bucket(name("key"))));
      assertEquals("corrupt database: page 3 identifies itself as page 99", e.getMessage());
    }
    assertTrue(meta.getLong(16 + 40) > 3, "the file has more than three pages");

    // a branch page whose first two children are swapped: every page is sound, their order is not
    long rootPage = meta.getLong(16 + 16);
    byte[] swapped = good.clone();
    ByteBuffer all = ByteBuffer.wrap(swapped).order(ByteOrder.LITTLE_ENDIAN);
    int rootLeaf = (int) rootPage * 4096;
    int keyElement = rootLeaf + 16; // the root bucket's only element: "key"
    int valueAt = keyElement + all.getInt(keyElement + 4) + all.getInt(keyElement + 8);
    int branch = (int) all.getLong(valueAt) * 4096;
    assertEquals(0x01, all.getShort(branch + 8), "the key bucket's root is a branch page");
    long first = all.getLong(branch + 16 + 8);
    all.putLong(branch + 16 + 8, all.getLong(branch + 32 + 8)).putLong(branch + 32 + 8, first);
    Path outOfOrder = tmp.resolve("out-of-order");
    Files.write(outOfOrder, swapped);
    try (BoltReader r = BoltReader.open(outOfOrder, Files.size(outOfOrder))) {
      e = assertThrows(BoltFormatException.class, () -> read(r.bucket(name("key"))));
      assertTrue(e.getMessage().contains("keys out of order across the pages"), e.getMessage());
    }
  }
}
