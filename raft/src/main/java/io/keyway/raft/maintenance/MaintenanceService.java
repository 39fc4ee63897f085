package io.keyway.raft.maintenance;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmRequest;
import io.keyway.api.etcdserverpb.AlarmResponse;
import io.keyway.api.etcdserverpb.AlarmType;
import io.keyway.api.etcdserverpb.DefragmentRequest;
import io.keyway.api.etcdserverpb.DefragmentResponse;
import io.keyway.api.etcdserverpb.HashKVRequest;
import io.keyway.api.etcdserverpb.HashKVResponse;
import io.keyway.api.etcdserverpb.HashRequest;
import io.keyway.api.etcdserverpb.HashResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.raft.EtcdMaintenance;
import io.keyway.raft.storage.StoreDirs;
import io.keyway.store.KvHash;
import io.keyway.store.KvStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's Maintenance RPCs. Store scans and rewrites (hash, defragment, snapshot) run one at a time on
 * a thread of their own, so they neither block callers nor starve reads; alarms are proposed through Raft.
 */
public final class MaintenanceService implements EtcdMaintenance, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceService.class);

  private final KvStore store;
  private final AlarmTable alarms;
  private final Function<RaftRequest.Builder, CompletableFuture<Object>> propose;
  private final Supplier<ResponseHeader> header;
  private final Path scratchDir;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "keyway-maintenance");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param propose proposes a request (its id is set by the callee) and completes with the applied result
   * @param header the member's full header at the current revision
   * @param scratchDir where snapshot copies are made (same file system as the store, for hard links)
   */
  public MaintenanceService(KvStore store, AlarmTable alarms,
      Function<RaftRequest.Builder, CompletableFuture<Object>> propose, Supplier<ResponseHeader> header,
      Path scratchDir) {
    this.store = store;
    this.alarms = alarms;
    this.propose = propose;
    this.header = header;
    this.scratchDir = scratchDir;
    deleteQuietly(scratchDir); // copies a crash left behind
  }

  private static void deleteQuietly(Path dir) {
    try {
      StoreDirs.deleteRecursively(dir);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }

  @Override
  public CompletableFuture<HashResponse> hash(HashRequest request) {
    return onWorker(() -> {
      ResponseHeader h = header.get();
      return HashResponse.newBuilder().setHeader(h).setHash((int) store.hash()).build();
    });
  }

  @Override
  public CompletableFuture<HashKVResponse> hashKv(HashKVRequest request) {
    return onWorker(() -> {
      KvHash hash = store.hashKv(request.getRevision());
      return HashKVResponse.newBuilder()
          .setHeader(header.get().toBuilder().setRevision(hash.currentRevision()))
          .setHash((int) hash.hash())
          .setCompactRevision(hash.compactRevision())
          .build();
    });
  }

  @Override
  public CompletableFuture<DefragmentResponse> defragment(DefragmentRequest request) {
    return onWorker(() -> {
      long before = store.sizeOnDisk();
      store.defragment();
      LOG.info("defragmented the store: {} -> {} bytes on disk", before, store.sizeOnDisk());
      return DefragmentResponse.getDefaultInstance();
    });
  }

  @Override
  public CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
    return propose.apply(RaftRequest.newBuilder().setAlarm(request))
        .thenApply(r -> ((AlarmResponse) r).toBuilder().setHeader(header.get()).build());
  }

  @Override
  public List<AlarmMember> activeAlarms() {
    return alarms.get(AlarmType.NONE);
  }

  @Override
  public CompletableFuture<SnapshotFile> snapshot() {
    return onWorker(() -> {
      try {
        Files.createDirectories(scratchDir);
        Path archive = scratchDir.resolve("snapshot-" + System.nanoTime() + ".db");
        try {
          ResponseHeader h = header.get();
          long size;
          try (FileChannel out = FileChannel.open(archive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            size = store.readImage(image -> EtcdSnapshotExport.write(image, out));
          }
          return new SnapshotFile(archive, size, h);
        } catch (IOException | RuntimeException e) {
          Files.deleteIfExists(archive);
          throw e;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private <T> CompletableFuture<T> onWorker(Supplier<T> op) {
    try {
      return CompletableFuture.supplyAsync(op, worker);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
