package io.keyway.raft.statemachine;

import io.keyway.raft.storage.Fsync;
import io.keyway.raft.storage.StoreDirs;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots as store checkpoints: each snapshot is a directory {@code sm/snapshot.<term>_<index>} holding a
 * complete, self-contained copy of the store (RocksDB checkpoint, mostly hard links). A directory only gets its
 * final name once the checkpoint is complete, so whatever matches the name pattern is usable.
 *
 * <p>Ratis ships the files of the latest snapshot to lagging followers and, on the follower, replaces the whole
 * {@code sm} directory with the received tree; {@link #reload()} then picks the installed snapshot up.
 */
final class CheckpointSnapshotStorage implements StateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointSnapshotStorage.class);
  private static final Pattern SNAPSHOT_DIR = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final String TMP_PREFIX = "tmp.";
  private static final int DEFAULT_RETAINED = 2;

  private final AtomicReference<FileListSnapshotInfo> latest = new AtomicReference<>();
  private volatile Path smDir;

  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    smDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
    Files.createDirectories(smDir);
    deleteTemporaries();
    reload();
  }

  @Override
  public void format() {
    // nothing to format: the directory is created on init
  }

  @Override
  public FileListSnapshotInfo getLatestSnapshot() {
    return latest.get();
  }

  /** Rescans the directory; after an installed snapshot the directory content was replaced underneath us. */
  FileListSnapshotInfo reload() throws IOException {
    FileListSnapshotInfo found = null;
    for (Path dir : snapshotDirs()) {
      TermIndex ti = termIndexOf(dir);
      if (found == null || ti.getIndex() > found.getIndex()) {
        found = describe(dir, ti);
      }
    }
    latest.set(found);
    return found;
  }

  /** Where the files of the latest snapshot are, or null if there is none. */
  Path latestDir() {
    FileListSnapshotInfo s = latest.get();
    return s == null ? null : dirOf(s.getTermIndex());
  }

  /** A fresh directory path (not created) to checkpoint into before {@link #commit}. */
  Path tempDir(TermIndex ti) throws IOException {
    Path tmp = smDir.resolve(TMP_PREFIX + dirName(ti));
    StoreDirs.deleteRecursively(tmp);
    return tmp;
  }

  /** Gives a complete checkpoint its final name and makes it the latest snapshot. */
  FileListSnapshotInfo commit(Path tmp, TermIndex ti) throws IOException {
    Path target = dirOf(ti);
    StoreDirs.deleteRecursively(target);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    Fsync.directory(smDir);
    FileListSnapshotInfo info = describe(target, ti);
    latest.updateAndGet(prev -> prev == null || prev.getIndex() < ti.getIndex() ? info : prev);
    return info;
  }

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    int keep = policy != null && policy.getNumSnapshotsRetained() > 0
        ? policy.getNumSnapshotsRetained() : DEFAULT_RETAINED;
    List<Path> dirs = snapshotDirs();
    dirs.sort(Comparator.comparingLong((Path d) -> termIndexOf(d).getIndex()).reversed());
    for (Path old : dirs.subList(Math.min(keep, dirs.size()), dirs.size())) {
      LOG.debug("deleting old snapshot {}", old);
      StoreDirs.deleteRecursively(old);
    }
  }

  private List<Path> snapshotDirs() throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (smDir == null || !Files.isDirectory(smDir)) {
      return dirs;
    }
    try (Stream<Path> s = Files.list(smDir)) {
      s.filter(Files::isDirectory)
          .filter(p -> SNAPSHOT_DIR.matcher(p.getFileName().toString()).matches())
          .forEach(dirs::add);
    }
    return dirs;
  }

  private void deleteTemporaries() throws IOException {
    try (Stream<Path> s = Files.list(smDir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().startsWith(TMP_PREFIX)) {
          StoreDirs.deleteRecursively(p);
        }
      }
    }
  }

  private static FileListSnapshotInfo describe(Path dir, TermIndex ti) throws IOException {
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".md5"))
          .sorted()
          // no digest: Ratis computes it while streaming the file to a follower
          .forEach(p -> files.add(new FileInfo(p, null)));
    }
    return new FileListSnapshotInfo(files, ti);
  }

  private Path dirOf(TermIndex ti) {
    return smDir.resolve(dirName(ti));
  }

  private static String dirName(TermIndex ti) {
    return "snapshot." + ti.getTerm() + "_" + ti.getIndex();
  }

  private static TermIndex termIndexOf(Path dir) {
    Matcher m = SNAPSHOT_DIR.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a snapshot directory: " + dir);
    }
    return TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  @Override
  public File getSnapshotDir() {
    return smDir == null ? null : smDir.toFile();
  }
}
