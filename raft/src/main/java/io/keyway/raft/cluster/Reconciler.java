package io.keyway.raft.cluster;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.raft.propose.RaftEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes JRaft's configuration follow the replicated {@link MemberTable}, on the leader only, one configuration
 * change at a time ({@code Node.changePeers} with the whole target configuration, voters and learners):
 *
 * <ul>
 *   <li>a member in the table but not in JRaft is added (a voter or a learner) once its peer port accepts
 *       connections; JRaft lets a new voter catch up before the joint configuration is proposed, so an added
 *       member that never starts cannot cost the cluster its quorum;</li>
 *   <li>a learner the table lists as a voter (a promoted learner) leaves the learners, then is added as a voter
 *       the same way (JRaft refuses a joint configuration where one peer is a learner and a voter);</li>
 *   <li>a JRaft peer no member's address matches is removed (a removed member, or the old address of a member
 *       whose peer URLs changed: JRaft names peers by address, so MemberUpdate is a removal and an addition;
 *       a removed leader steps down).</li>
 * </ul>
 *
 * etcd changes its Raft configuration in the same log entry as its member list. With JRaft the two are separate
 * steps, so the table is the intent and JRaft follows it: a new voting member counts for the quorum once it is
 * caught up rather than from the moment it is added.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  private static final long PERIOD_MS = 500;
  private static final int CONNECT_TIMEOUT_MS = 300;
  private static final long CHANGE_TIMEOUT_SECONDS = 60;

  private final RaftEndpoint raft;
  private final MemberTable table;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "keyway-reconciler");
    t.setDaemon(true);
    return t;
  });

  public Reconciler(RaftEndpoint raft, MemberTable table) {
    this.raft = raft;
    this.table = table;
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
    if (!raft.leaderReady() || !table.initialized()) {
      return;
    }
    Node node = raft.node();
    Set<PeerId> voters;
    Set<PeerId> learners;
    try {
      voters = new HashSet<>(node.listPeers());
      learners = new HashSet<>(node.listLearners());
    } catch (IllegalStateException notLeaderAnyMore) {
      return;
    }
    Configuration target = new Configuration();
    List<String> changes = new ArrayList<>();
    Set<PeerId> wanted = new HashSet<>();
    for (Member m : table.members()) {
      if (m.getPeerURLsCount() == 0) {
        continue;
      }
      PeerId p = RaftMembership.peerOf(m);
      wanted.add(p);
      if (m.getIsLearner()) {
        if (voters.contains(p)) {
          target.addPeer(p); // etcd cannot demote a voter: it stays one
        } else if (learners.contains(p)) {
          target.addLearner(p);
        } else if (reachable(m)) {
          changes.add("add learner " + p);
          target.addLearner(p);
        }
      } else if (voters.contains(p)) {
        target.addPeer(p);
      } else if (learners.contains(p)) {
        // JRaft refuses a joint configuration with a peer that is a learner on one side and a voter on the other:
        // a promoted learner leaves the learners first and is added as a voter (caught up again) next round
        changes.add("promote " + p + " (leaves the learners first)");
      } else if (reachable(m)) {
        changes.add("add voter " + p);
        target.addPeer(p);
      }
    }
    for (PeerId p : voters) {
      if (!wanted.contains(p)) {
        changes.add("remove voter " + p);
      }
    }
    for (PeerId p : learners) {
      if (!wanted.contains(p)) {
        changes.add("remove learner " + p);
      }
    }
    if (changes.isEmpty() || target.getPeers().isEmpty()) {
      return;
    }
    LOG.info("changing the Raft configuration to follow the member list: {}", changes);
    CompletableFuture<Status> done = new CompletableFuture<>();
    node.changePeers(target, done::complete);
    try {
      Status s = done.get(CHANGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!s.isOk()) {
        LOG.info("Raft configuration change {} not done (will retry): {}", changes, s);
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.info("Raft configuration change {} not done (will retry): {}", changes, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean reachable(Member m) {
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
