package io.keyway.raft.cluster;

import io.keyway.raft.propose.RaftEndpoint;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/** What Ratis knows of the group's configuration and, on the leader, of each follower's progress. */
public final class RaftMembership {
  /** A follower or listener as the leader sees it. */
  public record Progress(long matchIndex, long lastRpcElapsedMs) {}

  private final RaftEndpoint raft;

  public RaftMembership(RaftEndpoint raft) {
    this.raft = raft;
  }

  public static RaftPeerId peerId(long memberId) {
    return RaftPeerId.valueOf(ClusterIds.hex(memberId));
  }

  public static long memberId(RaftPeerId peer) {
    return ClusterIds.parseHex(peer.toString());
  }

  /** See {@link RaftEndpoint#movePeer}. */
  public String movePeer(RaftPeerId id, String address) {
    return raft.movePeer(id, address);
  }

  public RaftServer.Division division() {
    return raft.division();
  }

  public boolean isLeader() {
    return raft.isLeader();
  }

  public RaftConfiguration conf() {
    return raft.division().getRaftConf();
  }

  /** No joint (old + new) configuration is in progress. */
  public boolean stable() {
    return conf().getPreviousPeers().isEmpty() && conf().getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
  }

  public Collection<RaftPeer> voters() {
    return conf().getCurrentPeers(RaftPeerRole.FOLLOWER);
  }

  public Collection<RaftPeer> listeners() {
    return conf().getCurrentPeers(RaftPeerRole.LISTENER);
  }

  /** This member's last log index that is durable: the leader's own "match index". */
  public long leaderMatch() {
    return raft.division().getRaftLog().getFlushIndex();
  }

  public long commitIndex() {
    return raft.division().getRaftLog().getLastCommittedIndex();
  }

  /** How long this member has been leading (0 when it does not lead). */
  public long leaderElapsedMs() {
    return raft.isLeader() ? raft.info().getRoleInfoProto().getRoleElapsedTimeMs() : 0;
  }

  /** Progress of the followers and listeners by member id; empty unless this member leads. */
  public Map<Long, Progress> progress() {
    Map<Long, Progress> out = new HashMap<>();
    if (!raft.isLeader()) {
      return out;
    }
    RoleInfoProto role = raft.info().getRoleInfoProto();
    long[] match = raft.info().getFollowerMatchIndices();
    if (!role.hasLeaderInfo()) {
      return out;
    }
    List<ServerRpcProto> followers = role.getLeaderInfo().getFollowerInfoList();
    // both lists come from the leader's log appenders in the same order
    for (int i = 0; i < followers.size() && match != null && i < match.length; i++) {
      ServerRpcProto f = followers.get(i);
      long id = ClusterIds.parseHex(f.getId().getId().toStringUtf8());
      out.put(id, new Progress(match[i], f.getLastRpcElapsedTimeMs()));
    }
    return out;
  }
}
