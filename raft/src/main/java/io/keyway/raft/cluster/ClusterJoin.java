package io.keyway.raft.cluster;

import com.alipay.sofa.jraft.util.Endpoint;
import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.raftpb.ClusterInfo;
import io.keyway.raft.propose.RaftEndpoint;
import io.keyway.raft.transport.PeerRpc;
import io.keyway.raft.transport.PeerTlsChannels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member started with {@code --initial-cluster-state=existing} and no data learns the cluster it joins from
 * the peers its {@code --initial-cluster} lists, as etcd's joining member does (etcd asks their peer URLs for
 * the member list; here the peer port answers a peer call after a ReadIndex round): the cluster id, the
 * bootstrap token and the member list. The joining member finds itself in that list by its peer URLs (etcd
 * assigns the ids the same way), so it must have been added with MemberAdd first.
 */
public final class ClusterJoin {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterJoin.class);
  private static final long CALL_TIMEOUT_MS = 3000;

  private ClusterJoin() {}

  /**
   * @param initialCluster --initial-cluster parsed (name to peer URLs)
   * @param ownPeerUrls    this member's advertised peer URLs, normalized
   */
  public static ClusterInfo fetch(Map<String, List<String>> initialCluster, List<String> ownPeerUrls,
      long timeoutMs, PeerTlsChannels peerTls) throws IOException {
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
    Exception last = null;
    try (PeerRpc rpc = PeerRpc.client(peerTls)) {
      while (System.currentTimeMillis() < deadline) {
        for (String url : candidates) {
          try {
            ByteString reply = rpc.call(endpoint(url), ClusterQueries.INFO, ByteString.EMPTY, CALL_TIMEOUT_MS)
                .get(CALL_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS);
            return ClusterQueries.infoReply(reply);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while joining", e);
          } catch (Exception e) {
            last = e;
            LOG.info("cannot fetch the cluster from {}: {}", url, e.toString());
          }
        }
        sleep(1000);
      }
    }
    throw new IOException("could not retrieve the cluster from the peers in --initial-cluster " + candidates
        + (last == null ? "" : ": " + last.getMessage()), last);
  }

  /**
   * The Raft group a peer serves, or null when it does not answer (quickly). A member whose --initial-cluster
   * points at peers of another cluster finds out this way (etcd's peers answer such a member with "cluster ID
   * mismatch").
   */
  public static String groupServedBy(PeerRpc rpc, String peerUrl) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(PeerUrls.host(peerUrl), PeerUrls.port(peerUrl)), 300);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    try {
      return rpc.call(endpoint(peerUrl), RaftEndpoint.IDENT, ByteString.EMPTY, 1000)
          .get(1500, TimeUnit.MILLISECONDS).toStringUtf8();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  private static Endpoint endpoint(String peerUrl) {
    return new Endpoint(PeerUrls.host(peerUrl), PeerUrls.port(peerUrl));
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

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while joining", e);
    }
  }
}
