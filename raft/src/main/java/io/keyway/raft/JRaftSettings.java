package io.keyway.raft;

import com.alipay.sofa.jraft.StateMachine;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.option.ReadOnlyOption;
import io.keyway.raft.transport.PeerTlsChannels;
import io.keyway.raft.transport.PeerTlsRpcFactory;

/** JRaft's options derived from etcd's flags. */
final class JRaftSettings {
  private static final int MB = 1024 * 1024;

  private JRaftSettings() {}

  /** @param peerTls TLS of the connections JRaft dials to its peers; null: plaintext */
  static NodeOptions node(NodeConfig config, Configuration initialConf, StateMachine fsm, PeerTlsChannels peerTls) {
    NodeOptions o = new PeerTlsRpcFactory.Options(peerTls);
    o.setInitialConf(initialConf);
    o.setFsm(fsm);
    o.setLogUri(config.raftDir().resolve("log").toString());
    o.setRaftMetaUri(config.raftDir().resolve("meta").toString());
    o.setSnapshotUri(config.raftDir().resolve("snapshot").toString());
    // snapshots are taken every --snapshot-count entries (see KeywayNode), as etcd does, not on a timer
    o.setSnapshotIntervalSecs(0);
    // etcd's --election-timeout; JRaft randomises each timeout between it and twice it, as etcd does
    o.setElectionTimeoutMs((int) config.electionTimeoutMs());
    o.setEnableMetrics(false);
    o.setRaftOptions(raft(config));
    return o;
  }

  static RaftOptions raft(NodeConfig config) {
    RaftOptions r = new RaftOptions();
    // durability is not negotiable: the log and the term/vote are fsynced before anything is acknowledged
    r.setSync(true);
    r.setSyncMeta(true);
    // etcd's --heartbeat-interval: JRaft heartbeats every election timeout / factor
    r.setElectionHeartbeatFactor(electionHeartbeatFactor(config));
    // ReadIndex confirms leadership with a heartbeat round (never a clock-based lease)
    r.setReadOnlyOptions(ReadOnlyOption.ReadOnlySafe);
    // one log entry carries up to ~max-request-bytes of writes: an AppendEntries must fit it
    r.setMaxBodySize(Math.max(r.getMaxBodySize(), config.maxRequestBytes() + MB));
    return r;
  }

  static int electionHeartbeatFactor(NodeConfig config) {
    return (int) Math.max(2, config.electionTimeoutMs() / Math.max(1, config.heartbeatIntervalMs()));
  }
}
