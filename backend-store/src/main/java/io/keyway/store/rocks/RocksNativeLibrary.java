package io.keyway.store.rocks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.JarEntry;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's JNI library once per JVM. Left to itself, rocksdbjni unpacks its 17 MB library from the jar
 * into a new temporary file on every start (0.4 s of a member's start-up) and deletes it only when the JVM
 * exits cleanly, so every kill -9 left one more file in /tmp. Here it is unpacked once into the user's cache
 * directory, under a name made of the library's CRC and size (a new rocksdbjni gets a new file), and loaded
 * from there. A library on {@code java.library.path} (the {@code keyway} launcher puts one there) wins, and
 * any failure falls back to rocksdbjni's own loading.
 */
final class RocksNativeLibrary {
  private static final Logger LOG = LoggerFactory.getLogger(RocksNativeLibrary.class);

  private RocksNativeLibrary() {}

  static void load() {
    // the file name RocksDB.loadLibrary(paths) looks for in each directory, and the jar resource it comes from
    String loadName = Environment.getJniLibraryFileName("rocksdbjni");
    String resource = Environment.getJniLibraryFileName("rocksdb");
    if (!onLibraryPath(resource)) {
      Path dir = unpacked(resource, loadName, cacheDir());
      if (dir != null) {
        try {
          RocksDB.loadLibrary(List.of(dir.toString()));
          return;
        } catch (UnsatisfiedLinkError e) {
          LOG.debug("cannot load RocksDB's library from {}: {}", dir, e.toString());
        }
      }
    }
    RocksDB.loadLibrary();
  }

  private static boolean onLibraryPath(String fileName) {
    String path = System.getProperty("java.library.path", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, fileName))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The directory under {@code cache} holding the library as {@code loadName}, unpacked now if needed; null
   * when that fails.
   */
  static Path unpacked(String resource, String loadName, Path cache) {
    URL url = RocksDB.class.getClassLoader().getResource(resource);
    if (url == null || cache == null) {
      return null;
    }
    try {
      URLConnection connection = url.openConnection();
      long crc = -1;
      long size = -1;
      if (connection instanceof JarURLConnection jar) {
        JarEntry entry = jar.getJarEntry();
        crc = entry.getCrc();
        size = entry.getSize();
      }
      if (crc < 0 || size < 0) {
        return null; // not in a jar (or an unknown CRC): nothing to name a cached copy after
      }
      Path dir = cache.resolve(String.format("rocksdbjni-%08x-%d", crc, size));
      Path target = dir.resolve(loadName);
      if (Files.isRegularFile(target) && Files.size(target) == size) {
        return dir;
      }
      Files.createDirectories(dir);
      // another member may be unpacking the same library right now: each writes its own file, then renames
      Path partial = Files.createTempFile(dir, loadName, ".partial");
      try {
        try (InputStream in = connection.getInputStream()) {
          Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.size(partial) != size) {
          return null;
        }
        try {
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(partial);
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot unpack RocksDB's library into {}: {}", cache, e.toString());
      return null;
    }
  }

  /**
   * {@code $XDG_CACHE_HOME/keyway} or {@code ~/.cache/keyway}: the user's own directory, unlike a shared /tmp
   * where another user could plant a library under a predictable name.
   */
  private static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "keyway");
    }
    String home = System.getProperty("user.home");
    if (home == null || home.isBlank() || home.equals("?") || !Path.of(home).isAbsolute()) {
      return null;
    }
    return Path.of(home, ".cache", "keyway");
  }
}
