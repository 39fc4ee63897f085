package io.keyway.raft.maintenance;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.raft.NodeConfig;
import io.keyway.raft.cluster.ClusterIdentity;
import io.keyway.raft.cluster.MemberTable;
import io.keyway.raft.storage.Fsync;
import io.keyway.raft.storage.StoreDirs;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;
import io.keyway.store.bolt.BoltFormatException;
import io.keyway.store.bolt.BoltReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * etcdutl's {@code snapshot restore} and {@code snapshot status} for the files {@code etcdctl snapshot save}
 * writes, from an etcd member or a Keyway member (both: a bbolt database in etcd's layout, then its SHA-256),
 * for an etcd member's {@code member/snap/db} (no SHA-256: needs {@code --skip-hash-check}, as with etcdutl),
 * and for the {@link SnapshotArchive} files older Keyway members streamed. The format is told by the file's
 * first bytes.
 *
 * <p>Restore builds a new data dir as etcd does: the key space with its revisions and compaction revision,
 * the lease table and the alarm table are kept; membership is replaced by the one {@code --initial-cluster}
 * describes, and the Raft log starts afresh (the store forgets the old log's apply position).
 */
public final class SnapshotRestore {
  private static final int SHA256_SIZE = 32;

  private SnapshotRestore() {}

  /** A restore or status that cannot be done; the message is etcdutl's where it has one. */
  public static final class SnapshotException extends Exception {
    public SnapshotException(String message) {
      super(message);
    }
  }

  /**
   * @param dataDir the new member's data dir (etcdutl's default {@code <name>.etcd} is the caller's)
   * @param peerUrls this member's {@code --initial-advertise-peer-urls}
   */
  public record Options(Path snapshot, String name, Path dataDir, String initialCluster, String clusterToken,
      List<String> peerUrls, boolean skipHashCheck) {}

  /** What etcdutl's {@code snapshot status} prints. */
  public record Status(long hash, long revision, long totalKeys, long totalSize) {}

  public static void restore(Options o) throws SnapshotException, IOException {
    ClusterIdentity identity;
    try {
      identity = ClusterIdentity.bootstrap(o.name(), o.initialCluster(), o.clusterToken(), o.peerUrls());
    } catch (IllegalArgumentException e) {
      throw new SnapshotException(e.getMessage());
    }
    if (Files.exists(o.dataDir()) && !isEmptyDir(o.dataDir())) {
      throw new SnapshotException("data-dir \"" + o.dataDir() + "\" not empty or could not be read");
    }
    long content = verifiedContentSize(o.snapshot(), o.skipHashCheck());
    // an etcd database is checked (meta pages, size) before anything is created
    BoltReader etcd = isBolt(o.snapshot()) ? openBolt(o.snapshot(), content) : null;
    boolean created = !Files.exists(o.dataDir());
    NodeConfig layout = NodeConfig.builder().name(o.name()).dataDir(o.dataDir()).build();
    try {
      if (etcd != null) {
        RocksKvStore.load(layout.storeDir(), StoreOptions.defaults(), new EtcdSnapshotImport(etcd));
      } else {
        try (InputStream in = Channels.newInputStream(FileChannel.open(o.snapshot(), StandardOpenOption.READ))) {
          SnapshotArchive.unpack(limited(in, content), layout.storeDir());
        }
      }
      RocksKvStore.forgetAppliedPosition(layout.storeDir(), StoreOptions.defaults(), MemberTable.RECORD);
      identity.save(layout.memberDir());
      Fsync.directory(layout.storeDir());
      Fsync.directory(layout.memberDir());
      Fsync.directory(o.dataDir());
    } catch (IOException | RuntimeException e) {
      // leave nothing half-built behind: a member started on it would serve a partial store
      if (created) {
        StoreDirs.deleteRecursively(o.dataDir());
      } else {
        StoreDirs.deleteRecursively(layout.memberDir());
      }
      if (e instanceof BoltFormatException bad) {
        throw new SnapshotException(bad.getMessage());
      }
      if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith("not a keyway")) {
        throw new SnapshotException(io.getMessage());
      }
      throw e;
    } finally {
      if (etcd != null) {
        etcd.close();
      }
    }
  }

  /** Whether {@code file} starts like a bbolt database (an etcd snapshot) rather than a Keyway archive. */
  static boolean isBolt(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return BoltReader.looksLikeBolt(in.readNBytes(64));
    }
  }

  private static BoltReader openBolt(Path file, long content) throws SnapshotException, IOException {
    try {
      return BoltReader.open(file, content);
    } catch (BoltFormatException e) {
      throw new SnapshotException(e.getMessage());
    }
  }

  /** Opens a copy of the snapshot's store and reports what etcdutl's status reports. */
  public static Status status(Path snapshot, Path scratch) throws SnapshotException, IOException {
    long content = verifiedContentSize(snapshot, true);
    if (isBolt(snapshot)) {
      try (BoltReader db = openBolt(snapshot, content)) {
        return EtcdSnapshotStatus.of(db);
      } catch (BoltFormatException e) {
        throw new SnapshotException(e.getMessage());
      }
    }
    Path dir = scratch.resolve("keyway-snapshot-status-" + System.nanoTime());
    try {
      try (InputStream in = Channels.newInputStream(FileChannel.open(snapshot, StandardOpenOption.READ))) {
        SnapshotArchive.unpack(limited(in, content), dir);
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("not a keyway")) {
          throw new SnapshotException(e.getMessage());
        }
        throw e;
      }
      try (RocksKvStore store = RocksKvStore.open(dir, StoreOptions.defaults())) {
        long keys = store.range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
            .setRangeEnd(ByteString.copyFrom(new byte[] {0})).setCountOnly(true).build()).getCount();
        return new Status(store.hash(), store.revision(), keys, content);
      }
    } finally {
      StoreDirs.deleteRecursively(dir);
    }
  }

  /**
   * The size of the archive part of a snapshot file, after checking its SHA-256 trailer as etcdutl does (a
   * trailer is there when the size modulo 512 is 32).
   */
  static long verifiedContentSize(Path file, boolean skipHashCheck) throws SnapshotException, IOException {
    if (!Files.isRegularFile(file)) {
      throw new SnapshotException("stat " + file + ": no such file or directory");
    }
    long size = Files.size(file);
    boolean hasHash = size % 512 == SHA256_SIZE;
    if (!hasHash && !skipHashCheck) {
      throw new SnapshotException("snapshot missing hash but --skip-hash-check=false");
    }
    long content = hasHash ? size - SHA256_SIZE : size;
    if (hasHash && !skipHashCheck) {
      byte[] expected = new byte[SHA256_SIZE];
      MessageDigest sha = sha256();
      try (InputStream in = Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ))) {
        byte[] buffer = new byte[1 << 16];
        long left = content;
        while (left > 0) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (n < 0) {
            throw new IOException("unexpected end of " + file);
          }
          sha.update(buffer, 0, n);
          left -= n;
        }
        if (in.readNBytes(expected, 0, SHA256_SIZE) != SHA256_SIZE) {
          throw new IOException("unexpected end of " + file);
        }
      }
      byte[] actual = sha.digest();
      if (!Arrays.equals(expected, actual)) {
        throw new SnapshotException("expected sha256 " + goBytes(expected) + ", got " + goBytes(actual));
      }
    }
    return content;
  }

  /** Go's {@code %v} of a byte slice: {@code [1 2 255]}. */
  private static String goBytes(byte[] bytes) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < bytes.length; i++) {
      b.append(i == 0 ? "" : " ").append(bytes[i] & 0xff);
    }
    return b.append(']').toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InputStream limited(InputStream in, long limit) {
    return new InputStream() {
      private long left = limit;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = in.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }
    };
  }

  private static boolean isEmptyDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
