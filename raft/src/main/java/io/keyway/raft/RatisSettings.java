package io.keyway.raft;

import io.keyway.raft.cluster.PeerUrls;
import io.keyway.raft.transport.KeywayRpcType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Ratis configuration derived from etcd's flags. */
final class RatisSettings {
  private static final long MB = 1024 * 1024;

  private RatisSettings() {}

  static RaftProperties server(NodeConfig config, int voters) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(config.raftDir().toFile()));
    // gRPC with a log appender that survives followers needing purged entries (see CatchUpLogAppender)
    RaftConfigKeys.Rpc.setType(p, new KeywayRpcType());

    String listen = config.listenPeerUrls().get(0);
    GrpcConfigKeys.Server.setPort(p, PeerUrls.port(listen));
    String host = PeerUrls.host(listen);
    if (!"0.0.0.0".equals(host) && !"[::]".equals(host)) {
      GrpcConfigKeys.Server.setHost(p, host);
    }

    // elections: etcd's --election-timeout is the minimum; randomised up to twice that, as etcd does.
    // Ratis has no separate heartbeat knob: the leader heartbeats at half the minimum election timeout.
    long election = config.electionTimeoutMs();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(election));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(2 * election));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, ms(Math.max(3000, 3 * election)));
    if (voters == 1) {
      // a lone member has nobody to wait for: campaign almost at once, like etcd's tick fast-forward
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, ms(10));
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, ms(50));
    }

    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setTimeout(p, ms(config.requestTimeoutMs()));

    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotCount());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024, config.snapshotCount())));

    // one log entry carries up to ~max-request-bytes of writes: every buffer on its way must fit it
    long entryMax = config.maxRequestBytes() + MB;
    // (a proposed entry batches requests up to max-request-bytes in all, so it is below entryMax)
    long appenderLimit = Math.max(entryMax, 2L * config.maxRequestBytes());
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, bytes(appenderLimit));
    // Ratis refuses to start unless the write buffer exceeds the appender's limit by 8 bytes. It is one direct
    // buffer, zeroed and so resident from the start: no larger than needed (was 8 MiB of a 150 MiB idle member)
    RaftServerConfigKeys.Log.setWriteBufferSize(p, bytes(appenderLimit + 8));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, bytes(Math.max(32 * MB, 8 * entryMax)));
    GrpcConfigKeys.setMessageSizeMax(p, bytes(Math.max(64 * MB, 4 * entryMax)));

    // durability is not negotiable: entries are acknowledged only after fsync
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
    // Ratis' async flush is not used either: 3.2.2 marks entries written after the flush began as flushed
    // (SegmentedRaftLogWorker.asyncFlushOutStream reads lastWrittenIndex when the fsync completes).
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
    // No commit-index metadata entry after every commit: each one was a log write, often an fsync of its own
    // and a store write on apply, i.e. about as many Raft log entries as client entries. It only lets a
    // restarted member apply up to its old commit index before it hears from a leader; Keyway's store keeps
    // its own applied position, and entries past it are applied once a leader commits in its term.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);

    config.raftProperties().forEach(p::set);
    return p;
  }

  /** For the Raft client a follower uses to forward writes to the leader. */
  static RaftProperties client(NodeConfig config) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    long entryMax = config.maxRequestBytes() + MB;
    GrpcConfigKeys.setMessageSizeMax(p, bytes(Math.max(64 * MB, 4 * entryMax)));
    config.raftProperties().forEach(p::set);
    return p;
  }

  /** Ratis' non-property settings (TLS key material) for the server and every Raft client this member builds. */
  static Parameters parameters(NodeConfig config) {
    return config.peerTls() != null ? config.peerTls().ratisParameters() : new Parameters();
  }

  private static TimeDuration ms(long v) {
    return TimeDuration.valueOf(v, TimeUnit.MILLISECONDS);
  }

  private static SizeInBytes bytes(long v) {
    return SizeInBytes.valueOf(v);
  }
}
