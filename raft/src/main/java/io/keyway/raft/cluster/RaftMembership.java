package io.keyway.raft.cluster;

import com.alipay.sofa.jraft.entity.PeerId;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.raft.propose.RaftEndpoint;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What JRaft knows of the group's configuration and, on the leader, of its followers, in etcd's member ids.
 * JRaft names a peer by its address: a member's peer is the host:port of its first peer URL in the member table.
 */
public final class RaftMembership {
  /** A follower or learner as the leader sees it; {@code lastRpcElapsedMs} is 0 for a member heard recently. */
  public record Progress(long lastRpcElapsedMs) {}

  private static final long LOG_INDEX_TIMEOUT_MS = 1000;

  private final RaftEndpoint raft;
  private final MemberTable table;

  public RaftMembership(RaftEndpoint raft, MemberTable table) {
    this.raft = raft;
    this.table = table;
  }

  /** The JRaft peer of a member. */
  public static PeerId peerOf(Member m) {
    return PeerId.parsePeer(PeerUrls.hostPort(m.getPeerURLs(0)));
  }

  public static PeerId peerOf(String raftAddress) {
    return PeerId.parsePeer(raftAddress);
  }

  /** The member a JRaft peer stands for; 0 when no member lists its address. */
  public long memberIdOf(PeerId peer) {
    if (peer == null || peer.isEmpty()) {
      return 0;
    }
    String address = peer.getEndpoint().toString();
    for (Member m : table.members()) {
      if (m.getPeerURLsCount() > 0 && PeerUrls.hostPort(m.getPeerURLs(0)).equals(address)) {
        return m.getID();
      }
    }
    return 0;
  }

  public boolean isLeader() {
    return raft.isLeader();
  }

  /** JRaft's voters; empty unless this member leads (JRaft answers only there). */
  public List<PeerId> voters() {
    return leaderOnly(() -> raft.node().listPeers());
  }

  /** JRaft's learners; empty unless this member leads. */
  public List<PeerId> learners() {
    return leaderOnly(() -> raft.node().listLearners());
  }

  private List<PeerId> leaderOnly(java.util.function.Supplier<List<PeerId>> list) {
    if (!raft.isLeader()) {
      return List.of();
    }
    try {
      return list.get();
    } catch (IllegalStateException notLeaderAnyMore) {
      return List.of();
    }
  }

  /** Whether {@code memberId} votes in JRaft's current configuration. */
  public boolean votes(long memberId) {
    return voters().stream().anyMatch(p -> memberIdOf(p) == memberId);
  }

  /** This member's last log index: the leader's own "match index". */
  public long leaderMatch() {
    return raft.lastLogIndex();
  }

  public long commitIndex() {
    return raft.commitIndex();
  }

  /** How long this member has been leading (0 when it does not lead). */
  public long leaderElapsedMs() {
    return raft.leaderElapsedMs();
  }

  /**
   * Followers and learners the leader heard from within its lease (JRaft's "alive" peers), by member id; empty
   * unless this member leads.
   */
  public Map<Long, Progress> progress() {
    Map<Long, Progress> out = new HashMap<>();
    if (!raft.isLeader()) {
      return out;
    }
    Set<PeerId> alive = new HashSet<>(leaderOnly(() -> raft.node().listAlivePeers()));
    alive.addAll(leaderOnly(() -> raft.node().listAliveLearners()));
    for (PeerId p : alive) {
      long id = memberIdOf(p);
      if (id != 0) {
        out.put(id, new Progress(0));
      }
    }
    return out;
  }

  /** A member's last log index as it reports it; -1 when it does not answer within a second. */
  public long logIndexOf(Member m) {
    try {
      return ClusterQueries.logIndexReply(raft.call(peerOf(m).getEndpoint(), ClusterQueries.LOG_INDEX,
          com.google.protobuf.ByteString.EMPTY).get(LOG_INDEX_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
