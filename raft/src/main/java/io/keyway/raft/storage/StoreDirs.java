package io.keyway.raft.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** File moves around the store directory: replacing it with a snapshot's checkpoint, crash-safely. */
public final class StoreDirs {
  private static final String RESTORE_SUFFIX = ".restoring";
  private static final String OLD_SUFFIX = ".old";

  private StoreDirs() {}

  /**
   * Replaces {@code storeDir} with a copy of {@code checkpointDir}. The copy is built next to the store and
   * swapped in with renames, so a crash leaves either the old store or the new one (a half-built copy is
   * deleted by {@link #cleanLeftovers}). Immutable SST files are hard-linked instead of copied when possible.
   */
  public static void replaceWith(Path storeDir, Path checkpointDir) throws IOException {
    Path restoring = sibling(storeDir, RESTORE_SUFFIX);
    Path old = sibling(storeDir, OLD_SUFFIX);
    deleteRecursively(restoring);
    deleteRecursively(old);
    Files.createDirectories(restoring);
    try (Stream<Path> files = Files.list(checkpointDir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.endsWith(".md5") || !Files.isRegularFile(f)) {
          continue; // digests next to snapshot files are not part of the database
        }
        Path target = restoring.resolve(name);
        if (name.endsWith(".sst") && tryLink(target, f)) {
          continue;
        }
        Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    fsyncTree(restoring);
    if (Files.exists(storeDir)) {
      Files.move(storeDir, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(restoring, storeDir, StandardCopyOption.ATOMIC_MOVE);
    Fsync.directory(storeDir.getParent());
    deleteRecursively(old);
  }

  /** Removes what an interrupted {@link #replaceWith} left behind. */
  public static void cleanLeftovers(Path storeDir) throws IOException {
    deleteRecursively(sibling(storeDir, RESTORE_SUFFIX));
    Path old = sibling(storeDir, OLD_SUFFIX);
    if (Files.exists(old) && !Files.exists(storeDir)) {
      // crashed between the two renames: the old store is still the newest complete one
      Files.move(old, storeDir, StandardCopyOption.ATOMIC_MOVE);
    }
    deleteRecursively(old);
  }

  public static void deleteRecursively(Path dir) throws IOException {
    io.keyway.store.StoreFiles.deleteRecursively(dir);
  }

  static void fsyncTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(f -> {
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.READ)) {
          ch.force(true);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    Fsync.directory(dir);
  }

  private static boolean tryLink(Path link, Path existing) {
    try {
      Files.createLink(link, existing);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static Path sibling(Path dir, String suffix) {
    return dir.resolveSibling(dir.getFileName() + suffix);
  }
}
