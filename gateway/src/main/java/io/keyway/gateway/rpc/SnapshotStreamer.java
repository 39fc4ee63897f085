package io.keyway.gateway.rpc;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.SnapshotRequest;
import io.keyway.api.etcdserverpb.SnapshotResponse;
import io.keyway.raft.EtcdMaintenance;
import io.keyway.raft.maintenance.SnapshotFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance/Snapshot as etcd streams it: the member's store copy in chunks of 32 KiB, each with the number
 * of bytes still to come after it, then one last message whose blob is the SHA-256 of everything sent (what
 * etcdctl checks). The file is read on a thread of its own and deleted once the stream ends either way.
 */
public final class SnapshotStreamer
    implements BiFunction<SnapshotRequest, StreamSink<SnapshotResponse>, Runnable>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStreamer.class);
  static final int CHUNK = 32 * 1024;

  private final EtcdMaintenance maintenance;
  private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "keyway-snapshot-send");
    t.setDaemon(true);
    return t;
  });

  public SnapshotStreamer(EtcdMaintenance maintenance) {
    this.maintenance = maintenance;
  }

  @Override
  public Runnable apply(SnapshotRequest request, StreamSink<SnapshotResponse> sink) {
    AtomicBoolean stopped = new AtomicBoolean();
    maintenance.snapshot().whenCompleteAsync((file, failure) -> {
      if (failure != null) {
        sink.fail(failure);
        return;
      }
      try {
        if (!stopped.get()) {
          send(file, sink, stopped);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("sending a snapshot failed", e);
        sink.fail(e instanceof IOException io ? new UncheckedIOException(io) : e);
      } finally {
        try {
          Files.deleteIfExists(file.file());
        } catch (IOException e) {
          LOG.warn("cannot delete snapshot file {}", file.file(), e);
        }
      }
    }, senders);
    return () -> stopped.set(true);
  }

  private static void send(SnapshotFile file, StreamSink<SnapshotResponse> sink, AtomicBoolean stopped)
      throws IOException {
    MessageDigest sha = sha256();
    long remaining = file.size();
    byte[] buf = new byte[CHUNK];
    try (InputStream in = Files.newInputStream(file.file())) {
      while (remaining > 0 && !stopped.get()) {
        int n = in.readNBytes(buf, 0, (int) Math.min(CHUNK, remaining));
        if (n <= 0) {
          throw new IOException("snapshot file " + file.file() + " ended " + remaining + " bytes early");
        }
        sha.update(buf, 0, n);
        remaining -= n;
        sink.next(SnapshotResponse.newBuilder()
            .setRemainingBytes(remaining)
            .setBlob(ByteString.copyFrom(buf, 0, n))
            .build());
      }
    }
    if (stopped.get()) {
      return;
    }
    sink.next(SnapshotResponse.newBuilder().setBlob(ByteString.copyFrom(sha.digest())).build());
    sink.end();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    senders.shutdownNow();
  }
}
