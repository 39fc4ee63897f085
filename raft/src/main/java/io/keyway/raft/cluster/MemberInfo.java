package io.keyway.raft.cluster;

import java.util.List;

/** A voting member or learner as the Raft layer knows it: id, name and peer URLs (sorted). */
public record MemberInfo(long id, String name, List<String> peerUrls, boolean learner) {
  public MemberInfo {
    peerUrls = List.copyOf(peerUrls);
  }

  /** The address JRaft names and dials this member by: host:port of its first peer URL. */
  public String raftAddress() {
    return PeerUrls.hostPort(peerUrls.get(0));
  }
}
