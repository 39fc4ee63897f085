package io.keyway.raft.transport;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Proof that this member still leads, from the followers' replies to its AppendEntries: a follower that
 * answers a request (other than with NOT_LEADER) sent after some moment still accepted this leader's term at
 * that moment. A majority of such answers is Raft's leadership check for a ReadIndex.
 *
 * <p>Ratis 3.2.2 skips that check when the commit index was already confirmed once
 * ({@code ReadIndexHeartbeats}: {@code commitIndex <= ackedCommitIndex} completes at once), so a leader that
 * was frozen or cut off, and deposed meanwhile, serves its old state to linearizable reads until it hears of the
 * new term. The read barrier asks this class instead.
 */
public final class LeaderHeartbeats {
  private static final Map<RaftGroupMemberId, LeaderHeartbeats> BY_MEMBER = new ConcurrentHashMap<>();

  /** The replies seen by the current appender of each follower. */
  private final Map<RaftPeerId, FollowerAcks> followers = new ConcurrentHashMap<>();

  private LeaderHeartbeats() {}

  /** The tracker of one member of one group (a process may run several members in tests). */
  public static LeaderHeartbeats of(RaftGroupMemberId member) {
    return BY_MEMBER.computeIfAbsent(member, m -> new LeaderHeartbeats());
  }

  /** A leader of {@code term} replicates to a follower through {@code appender} from now on. */
  void register(LogAppender appender, long term) {
    followers.put(appender.getFollowerId(), new FollowerAcks(appender, term, appender.getCallIdComparator()));
  }

  void onReply(LogAppender appender, AppendEntriesReplyProto reply) {
    if (reply.getResult() == AppendEntriesReplyProto.AppendResult.NOT_LEADER) {
      return;
    }
    FollowerAcks acks = followers.get(appender.getFollowerId());
    if (acks != null && acks.appender == appender) {
      acks.acked(reply.getServerReply().getCallId());
    }
  }

  /**
   * Marks the requests to be sent from now on, and asks every follower for a heartbeat: a later
   * {@link #confirmed} counts only answers to requests sent after this call.
   */
  public Marks mark(long term) {
    Map<RaftPeerId, Mark> marks = new HashMap<>();
    for (Map.Entry<RaftPeerId, FollowerAcks> e : followers.entrySet()) {
      FollowerAcks acks = e.getValue();
      if (acks.term == term) {
        marks.put(e.getKey(), new Mark(acks, acks.appender.getCallId()));
        acks.appender.triggerHeartbeat();
      }
    }
    return new Marks(term, marks);
  }

  /** Whether {@code self} plus the followers that answered since {@code marks} are a majority of voters. */
  public static boolean confirmed(Marks marks, Collection<RaftPeerId> voters, RaftPeerId self) {
    int yes = 0;
    for (RaftPeerId voter : voters) {
      if (voter.equals(self)) {
        yes++;
        continue;
      }
      Mark m = marks.byFollower.get(voter);
      if (m != null && m.acks.answeredSince(m.callId)) {
        yes++;
      }
    }
    return yes > voters.size() / 2;
  }

  /**
   * Whether {@code division} still leads in the marked term and a majority of voters (of both configurations during
   * a change) answered it after the mark.
   */
  public static boolean leadershipConfirmed(RaftServer.Division division, Marks marks) {
    if (!leadsIn(division, marks.term())) {
      return false;
    }
    RaftConfiguration conf = division.getRaftConf();
    RaftPeerId self = division.getId();
    Collection<RaftPeer> previous = conf.getPreviousPeers();
    return confirmed(marks, ids(conf.getCurrentPeers()), self)
        && (previous.isEmpty() || confirmed(marks, ids(previous), self));
  }

  /** Whether {@code division} leads in {@code term}. */
  public static boolean leadsIn(RaftServer.Division division, long term) {
    DivisionInfo info = division.getInfo();
    return info.isLeader() && info.getCurrentTerm() == term;
  }

  private static List<RaftPeerId> ids(Collection<RaftPeer> peers) {
    return peers.stream().map(RaftPeer::getId).toList();
  }

  /** Call ids of the next request to each follower, taken at one moment in one term. */
  public record Marks(long term, Map<RaftPeerId, Mark> byFollower) {}

  record Mark(FollowerAcks acks, long callId) {}

  static final class FollowerAcks {
    final LogAppender appender;
    final long term;
    /** Call ids may wrap around: the appender's own order. */
    private final Comparator<Long> order;
    private long highestAnswered = -1;
    private boolean answered;

    FollowerAcks(LogAppender appender, long term, Comparator<Long> order) {
      this.appender = appender;
      this.term = term;
      this.order = order;
    }

    synchronized void acked(long callId) {
      if (!answered || order.compare(callId, highestAnswered) > 0) {
        highestAnswered = callId;
        answered = true;
      }
    }

    synchronized boolean answeredSince(long callId) {
      return answered && order.compare(highestAnswered, callId) >= 0;
    }
  }
}
