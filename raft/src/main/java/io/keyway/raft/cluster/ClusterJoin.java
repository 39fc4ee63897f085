package io.keyway.raft.cluster;

import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.raftpb.ClusterInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.GroupListReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member started with {@code --initial-cluster-state=existing} and no data learns the cluster it joins from
 * the peers its {@code --initial-cluster} lists, as etcd's joining member does (etcd asks their peer URLs for
 * the member list; here the peer URLs are Ratis endpoints): it asks a peer which Raft group it serves and who is
 * in it, then asks the group's leader (a Raft read-only query) for the cluster id, the bootstrap token and the
 * member list. The joining member finds itself in that list by its peer URLs (etcd assigns the ids the same way),
 * so it must have been added with MemberAdd first.
 */
public final class ClusterJoin {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterJoin.class);

  /** What the joiner needs: the cluster's identity, members and the Raft group with its current peers. */
  public record Joined(ClusterInfo info, RaftGroup group) {}

  private ClusterJoin() {}

  /**
   * @param initialCluster --initial-cluster parsed (name to peer URLs)
   * @param ownPeerUrls    this member's advertised peer URLs, normalized
   */
  public static Joined fetch(Map<String, List<String>> initialCluster, List<String> ownPeerUrls,
      RaftProperties clientProperties, Parameters clientParameters, long timeoutMs) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<String> candidates = new ArrayList<>();
    initialCluster.forEach((name, urls) -> {
      if (!urls.equals(ownPeerUrls)) {
        candidates.add(urls.get(0));
      }
    });
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("--initial-cluster-state=existing but --initial-cluster names no other "
          + "member to join");
    }
    IOException last = null;
    while (System.currentTimeMillis() < deadline) {
      for (String url : candidates) {
        try {
          return fetchFrom(url, clientProperties, clientParameters);
        } catch (IOException e) {
          last = e;
          LOG.info("cannot fetch the cluster from {}: {}", url, e.toString());
        }
      }
      sleep(1000);
    }
    throw new IOException("could not retrieve the cluster from the peers in --initial-cluster " + candidates
        + (last == null ? "" : ": " + last.getMessage()), last);
  }

  private static Joined fetchFrom(String peerUrl, RaftProperties properties, Parameters parameters)
      throws IOException {
    RaftPeer probe = RaftPeer.newBuilder().setId("join-probe").setAddress(PeerUrls.hostPort(peerUrl)).build();
    RaftGroup probeGroup = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), probe);
    RaftGroup group;
    try (RaftClient client = client(probeGroup, properties, parameters)) {
      GroupListReply list = client.getGroupManagementApi(probe.getId()).list();
      if (list.getGroupIds().isEmpty()) {
        throw new IOException(peerUrl + " serves no Raft group");
      }
      RaftGroupId groupId = list.getGroupIds().get(0);
      GroupInfoReply info = client.getGroupManagementApi(probe.getId()).info(groupId);
      group = info.getGroup();
    }
    try (RaftClient client = client(group, properties, parameters)) {
      RaftClientReply reply = client.io().sendReadOnly(ClusterQueries.info());
      if (!reply.isSuccess()) {
        throw new IOException("the cluster's leader did not answer: " + reply.getException());
      }
      ClusterInfo info = ClusterQueries.infoReply(reply.getMessage());
      return new Joined(info, group);
    } catch (RuntimeException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * The Raft group a peer serves, or null when it does not answer (quickly) or serves none yet. A member whose
   * --initial-cluster points at peers of another cluster finds out this way (etcd's peers answer such a member
   * with "cluster ID mismatch").
   */
  public static RaftGroupId groupServedBy(String peerUrl, RaftProperties properties, Parameters parameters) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(PeerUrls.host(peerUrl), PeerUrls.port(peerUrl)), 300);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    RaftPeer probe = RaftPeer.newBuilder().setId("join-probe").setAddress(PeerUrls.hostPort(peerUrl)).build();
    try (RaftClient client = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
        .setRaftGroup(RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), probe))
        .setRetryPolicy(RetryPolicies.noRetry()).build()) {
      List<RaftGroupId> groups = client.getGroupManagementApi(probe.getId()).list().getGroupIds();
      return groups.isEmpty() ? null : groups.get(0);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The member with these peer URLs, or null when it was not added to the cluster. */
  public static Member findSelf(ClusterInfo info, List<String> ownPeerUrls) {
    for (Member m : info.getMembersList()) {
      if (PeerUrls.normalize(m.getPeerURLsList()).equals(ownPeerUrls)) {
        return m;
      }
    }
    return null;
  }

  private static RaftClient client(RaftGroup group, RaftProperties properties, Parameters parameters) {
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setParameters(parameters)
        .setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(10,
            TimeDuration.valueOf(300, TimeUnit.MILLISECONDS)))
        .build();
  }

  static RaftPeerId peerId(long id) {
    return RaftMembership.peerId(id);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while joining", e);
    }
  }
}
