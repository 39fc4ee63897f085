package io.keyway.store.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

class RocksNativeLibraryTest {
  private static final String RESOURCE = Environment.getJniLibraryFileName("rocksdb");
  private static final String LOAD_NAME = Environment.getJniLibraryFileName("rocksdbjni");

  @Test
  void unpacksTheLibraryOnceUnderANameMadeOfItsCrcAndSize(@TempDir Path cache) throws IOException {
    Path dir = RocksNativeLibrary.unpacked(RESOURCE, LOAD_NAME, cache);
    assertNotNull(dir, "rocksdbjni's library should be unpacked from its jar");
    Path lib = dir.resolve(LOAD_NAME);
    long size = Files.size(lib);
    assertTrue(dir.getFileName().toString().matches("rocksdbjni-[0-9a-f]{8}-" + size), dir.toString());
    assertTrue(size > 1_000_000, "a whole library, not " + size + " bytes");

    FileTime written = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(lib, written);
    assertEquals(dir, RocksNativeLibrary.unpacked(RESOURCE, LOAD_NAME, cache));
    assertEquals(written, Files.getLastModifiedTime(lib), "a second start reuses the unpacked library");
    assertEquals(List.of(lib), files(dir), "nothing else is left in the cache");
  }

  @Test
  void replacesATruncatedCopy(@TempDir Path cache) throws IOException {
    Path dir = RocksNativeLibrary.unpacked(RESOURCE, LOAD_NAME, cache);
    Path lib = dir.resolve(LOAD_NAME);
    long size = Files.size(lib);
    Files.write(lib, new byte[] {1, 2, 3}); // a copy cut short, e.g. by a full disk
    assertEquals(dir, RocksNativeLibrary.unpacked(RESOURCE, LOAD_NAME, cache));
    assertEquals(size, Files.size(lib));
    assertEquals(List.of(lib), files(dir));
  }

  @Test
  void theLoadedLibraryServesRocksDb() {
    RocksNativeLibrary.load();
    assertTrue(RocksDB.rocksdbVersion().getMajor() > 0);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
