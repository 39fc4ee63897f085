package io.keyway.raft.maintenance;

import io.keyway.store.KvStore;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keyway's own snapshot format, which Snapshot RPCs streamed (before etcd's SHA-256 trailer) until they
 * switched to etcd's bbolt format ({@link EtcdSnapshotExport}); {@code snapshot restore} still reads it.
 *
 * <p>Format 2 (written): the magic line {@code KEYWAY-SNAPSHOT 2\n}, then the store's canonical
 * {@code LogicalDump} (every entry of every column family, in key order), then zero bytes up to a multiple of
 * {@link #ALIGNMENT}. Members with the same data produce the same bytes, so snapshots taken from different
 * members of a cluster agree (clients such as jetcd's tests compare their sizes), unlike copies of RocksDB's
 * files, which differ with each member's flushes and compactions.
 *
 * <p>Format 1 (still read): the magic line {@code KEYWAY-SNAPSHOT 1\n}, then per file of a store checkpoint
 * (sorted by relative path) the path as a 2-byte length and UTF-8 bytes, the size as 8 bytes, the content; an
 * empty path as the end mark; zero bytes up to the alignment. All integers big-endian.
 *
 * <p>The alignment matters: etcdctl only accepts a snapshot whose size is a whole number of 512-byte pages (as
 * bolt files are) before the SHA-256 trailer.
 */
public final class SnapshotArchive {
  public static final int ALIGNMENT = 512;
  public static final byte[] MAGIC = "KEYWAY-SNAPSHOT 1\n".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] MAGIC_LOGICAL = "KEYWAY-SNAPSHOT 2\n".getBytes(StandardCharsets.US_ASCII);

  private SnapshotArchive() {}

  /** Writes the canonical archive (format 2) of {@code store}'s content to {@code target}. */
  public static void pack(KvStore store, Path target) throws IOException {
    try (OutputStream raw = Files.newOutputStream(target);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
      out.write(MAGIC_LOGICAL);
      long written = MAGIC_LOGICAL.length + store.dump(out);
      int tail = (int) (written % ALIGNMENT);
      if (tail != 0) {
        out.write(new byte[ALIGNMENT - tail]);
      }
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Writes the format-1 archive of every regular file under {@code dir} to {@code target}. */
  public static void pack(Path dir, Path target) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    try (OutputStream raw = Files.newOutputStream(target);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
      out.write(MAGIC);
      long written = MAGIC.length; // DataOutputStream counts in an int, too small for a large store
      for (Path file : files) {
        byte[] name = dir.relativize(file).toString().getBytes(StandardCharsets.UTF_8);
        out.writeShort(name.length);
        out.write(name);
        out.writeLong(Files.size(file));
        long size = Files.copy(file, out);
        written += 2 + name.length + 8 + size;
      }
      out.writeShort(0);
      written += 2;
      int tail = (int) (written % ALIGNMENT);
      if (tail != 0) {
        out.write(new byte[ALIGNMENT - tail]);
      }
    }
  }

  /**
   * Unpacks the archive at the start of {@code in} into {@code dir} (created if missing), fsyncing every file.
   *
   * @throws IOException when the content is no Keyway snapshot archive or is truncated
   */
  public static void unpack(InputStream in, Path dir) throws IOException {
    DataInputStream data = new DataInputStream(new BufferedInputStream(in, 1 << 16));
    byte[] magic = new byte[MAGIC.length];
    try {
      data.readFully(magic);
    } catch (EOFException e) {
      throw new IOException("not a keyway snapshot: the file is too short");
    }
    if (Arrays.equals(magic, MAGIC_LOGICAL)) {
      RocksKvStore.load(dir, StoreOptions.defaults(), data);
      return;
    }
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException("not a keyway snapshot: unknown format (keyway restores only snapshots saved from "
          + "keyway)");
    }
    Files.createDirectories(dir);
    Path root = dir.toAbsolutePath().normalize();
    byte[] buffer = new byte[1 << 16];
    try {
      while (true) {
        int nameLength = data.readUnsignedShort();
        if (nameLength == 0) {
          return;
        }
        byte[] name = new byte[nameLength];
        data.readFully(name);
        Path target = root.resolve(new String(name, StandardCharsets.UTF_8)).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
          throw new IOException("corrupt snapshot: entry " + new String(name, StandardCharsets.UTF_8)
              + " points outside the store");
        }
        long size = data.readLong();
        if (size < 0) {
          throw new IOException("corrupt snapshot: negative size for " + target.getFileName());
        }
        Files.createDirectories(target.getParent());
        try (var out = java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
          long left = size;
          while (left > 0) {
            int n = data.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
              throw new EOFException();
            }
            out.write(java.nio.ByteBuffer.wrap(buffer, 0, n));
            left -= n;
          }
          out.force(true);
        }
      }
    } catch (EOFException e) {
      throw new IOException("corrupt snapshot: the archive is truncated");
    }
  }
}
