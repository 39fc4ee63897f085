package io.keyway.raft.cluster;

import io.keyway.api.etcdserverpb.Member;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Ratis' configuration follow the replicated {@link MemberTable}, on the leader only, one configuration
 * change at a time:
 *
 * <ul>
 *   <li>a member in the table but not in Ratis is added as a Ratis listener once its peer port accepts
 *       connections (Ratis stages it: it must catch up, by snapshot if the log was purged, before the change
 *       commits, so an added member that never starts cannot cost the cluster its quorum);</li>
 *   <li>a listener the table lists as a voter (a new voting member, or a promoted learner) becomes a Ratis voter
 *       once it has caught up;</li>
 *   <li>a Ratis peer the table no longer lists is removed (a removed leader steps down);</li>
 *   <li>a peer whose peer URLs changed (MemberUpdate) is reached at its new address: on every member (not only
 *       the leader) the Raft transport's connection to it moves ({@link PeerAddresses}), and the next
 *       configuration change records the new address in Ratis' configuration too. A configuration change for
 *       the address alone would be a no-op in Ratis 3.2.2, which compares ids and priorities only.</li>
 * </ul>
 *
 * etcd changes its Raft configuration in the same log entry as its member list. With Ratis the two are separate
 * steps, so the table is the intent and Ratis follows it: a new voting member counts for the quorum once it is
 * caught up rather than from the moment it is added.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  private static final long PERIOD_MS = 500;
  private static final int CONNECT_TIMEOUT_MS = 300;
  /** A listener this close to the leader's commit index is caught up (Ratis' staging gap is 1000). */
  private static final long CATCH_UP_GAP = 200;
  private static final long SET_CONF_TIMEOUT_SECONDS = 60;

  private final RaftServer server;
  private final RaftMembership membership;
  private final MemberTable table;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "keyway-reconciler");
    t.setDaemon(true);
    return t;
  });
  private final long electionTimeoutMs;

  public Reconciler(RaftServer server, RaftMembership membership, MemberTable table, long electionTimeoutMs) {
    this.server = server;
    this.membership = membership;
    this.table = table;
    this.electionTimeoutMs = electionTimeoutMs;
  }

  public Reconciler start() {
    loop.scheduleWithFixedDelay(this::safeStep, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Runs a round soon (after a member change was applied). */
  public void poke() {
    try {
      loop.execute(this::safeStep);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // shutting down
    }
  }

  private void safeStep() {
    try {
      step();
    } catch (RuntimeException e) {
      LOG.warn("reconciling the Raft configuration with the member list failed: {}", e.toString());
    }
  }

  private void step() {
    if (table.initialized()) {
      followPeerUrls();
    }
    if (!membership.isLeader() || !table.initialized() || !membership.stable()) {
      return;
    }
    Map<Long, Member> wanted = new LinkedHashMap<>();
    table.members().forEach(m -> wanted.put(m.getID(), m));
    Map<Long, RaftMembership.Progress> progress = membership.progress();
    long commit = membership.commitIndex();

    List<RaftPeer> voters = new ArrayList<>();
    List<RaftPeer> listeners = new ArrayList<>();
    Set<Long> inRaft = new HashSet<>();
    List<String> changes = new ArrayList<>();
    for (RaftPeer p : membership.voters()) {
      long id = RaftMembership.memberId(p.getId());
      inRaft.add(id);
      Member m = wanted.get(id);
      if (m == null) {
        changes.add("remove voter " + p.getId());
        continue;
      }
      voters.add(withTableAddress(m, p));
    }
    for (RaftPeer p : membership.listeners()) {
      long id = RaftMembership.memberId(p.getId());
      inRaft.add(id);
      Member m = wanted.get(id);
      if (m == null) {
        changes.add("remove listener " + p.getId());
        continue;
      }
      RaftMembership.Progress pr = progress.get(id);
      boolean caughtUp = pr != null && pr.matchIndex() + CATCH_UP_GAP >= commit
          && pr.lastRpcElapsedMs() < 3 * electionTimeoutMs;
      if (!m.getIsLearner() && caughtUp) {
        changes.add("promote " + p.getId() + " to voter");
        voters.add(peer(m, RaftPeerRole.FOLLOWER));
      } else {
        listeners.add(withTableAddress(m, p));
      }
    }
    for (Member m : wanted.values()) {
      if (!inRaft.contains(m.getID()) && reachable(m)) {
        changes.add("add listener " + ClusterIds.hex(m.getID()));
        listeners.add(peer(m, RaftPeerRole.LISTENER));
      }
    }
    if (changes.isEmpty() || voters.isEmpty()) {
      return;
    }
    LOG.info("changing the Raft configuration to follow the member list: {}", changes);
    SetConfigurationRequest request = new SetConfigurationRequest(clientId, server.getId(),
        membership.division().getGroup().getGroupId(), callIds.incrementAndGet(),
        SetConfigurationRequest.Arguments.newBuilder()
            .setServersInNewConf(voters)
            .setListenersInNewConf(listeners)
            .build());
    try {
      RaftClientReply reply = server.setConfigurationAsync(request).get(SET_CONF_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!reply.isSuccess()) {
        LOG.info("Raft configuration change {} not done (will retry): {}", changes, reply.getException());
      }
    } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.info("Raft configuration change {} not done (will retry): {}", changes, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Moves this member's Raft connections to members whose peer URLs changed (MemberUpdate). */
  private void followPeerUrls() {
    for (Member m : table.members()) {
      if (m.getPeerURLsCount() == 0) {
        continue;
      }
      String want = PeerUrls.hostPort(m.getPeerURLs(0));
      String was = membership.movePeer(RaftMembership.peerId(m.getID()), want);
      if (was != null) {
        LOG.info("member {} moved: Raft now reaches it at {} instead of {}", ClusterIds.hex(m.getID()), want, was);
      }
    }
  }

  /** {@code p} as a configuration change should record it: at the member's current peer URL. */
  private static RaftPeer withTableAddress(Member m, RaftPeer p) {
    if (m.getPeerURLsCount() == 0) {
      return p;
    }
    String want = PeerUrls.hostPort(m.getPeerURLs(0));
    return Objects.equals(want, p.getAddress()) ? p : RaftPeer.newBuilder(p).setAddress(want).build();
  }

  static RaftPeer peer(Member m, RaftPeerRole role) {
    return RaftPeer.newBuilder()
        .setId(RaftMembership.peerId(m.getID()))
        .setAddress(PeerUrls.hostPort(m.getPeerURLs(0)))
        .setStartupRole(role)
        .build();
  }

  private static boolean reachable(Member m) {
    if (m.getPeerURLsCount() == 0) {
      return false;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(PeerUrls.host(m.getPeerURLs(0)), PeerUrls.port(m.getPeerURLs(0))),
          CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
