package io.keyway.raft.propose;

import io.keyway.raft.transport.LeaderHeartbeats;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.keyway.raft.transport.PeerAddresses;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.PeerProxyMap;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this member talks to its Raft group: in-process submission when it leads, a Ratis client routed to the
 * leader when it follows.
 *
 * <p>Both submit methods block the calling thread briefly (Ratis hands the request to its client executor and
 * waits until it is queued), so callers are the proposer's own threads, never event loops or Ratis callbacks.
 * Replies complete on Ratis threads, sometimes under Ratis locks: continue with an *Async method.
 */
public final class RaftEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftEndpoint.class);

  private final RaftServer server;
  private final RaftServer.Division division;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final RaftProperties clientProperties;
  private final Parameters clientParameters;
  private RaftClient forwarder;

  public RaftEndpoint(RaftServer server, RaftServer.Division division, RaftProperties clientProperties) {
    this(server, division, clientProperties, new Parameters());
  }

  /** @param clientParameters the peer TLS of the forwarding client, as the server's */
  public RaftEndpoint(RaftServer server, RaftServer.Division division, RaftProperties clientProperties,
      Parameters clientParameters) {
    this.server = server;
    this.division = division;
    this.clientProperties = clientProperties;
    this.clientParameters = clientParameters;
  }

  public DivisionInfo info() {
    return division.getInfo();
  }

  public RaftServer.Division division() {
    return division;
  }

  public boolean isLeader() {
    return division.getInfo().isLeader();
  }

  /** A leader is known (this member or another). */
  public boolean leaderKnown() {
    DivisionInfo info = division.getInfo();
    return info.isLeader() || info.getLeaderId() != null;
  }

  /** Appends a state-machine entry; replies after it is committed and applied on the leader. */
  public CompletableFuture<RaftClientReply> write(Message message) {
    if (isLeader()) {
      return submit(message, RaftClientRequest.writeRequestType());
    }
    // the follower's own apply completes the local waiters; this reply only reports failures
    RaftClient client = forwarder();
    return retireOnFailure(client, client.async().send(message));
  }

  /**
   * A read-only query answered by the leader's state machine after a ReadIndex round there (follower to leader:
   * lease keep-alives and time-to-live, which only the leader's lessor can answer).
   */
  public CompletableFuture<RaftClientReply> queryLeader(Message message) {
    RaftClient client = forwarder();
    return retireOnFailure(client, client.async().sendReadOnly(message));
  }

  /**
   * A Ratis client whose ordered requests ran out of retries (the leader died and no new one answered in time)
   * closes its sliding window for good: every later request fails at once with AlreadyClosedException ("server
   * stopped" to the caller), so this member could never forward a write again. Such a client is dropped and the
   * next request builds a fresh one (seen in KeywayJsIT: a follower refused writes for the rest of the run after
   * the leader was killed).
   */
  private CompletableFuture<RaftClientReply> retireOnFailure(RaftClient client,
      CompletableFuture<RaftClientReply> reply) {
    return reply.whenComplete((r, failure) -> {
      Throwable cause = failure == null ? null : RatisErrors.unwrap(failure);
      if (cause instanceof RaftRetryFailureException || cause instanceof AlreadyClosedException) {
        retire(client);
      }
    });
  }

  private void retire(RaftClient client) {
    synchronized (this) {
      if (forwarder != client) {
        return;
      }
      forwarder = null;
    }
    // not on the Ratis thread that completed the reply: closing waits for the client's channels
    CompletableFuture.runAsync(() -> {
      try {
        client.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing a spent forwarding Raft client failed", e);
      }
    });
    LOG.info("the forwarding Raft client ran out of retries; the next forwarded request uses a new one");
  }

  /**
   * Marks this moment for a leadership check and asks the followers for heartbeats; null when this member does
   * not lead.
   */
  public LeaderHeartbeats.Marks markLeadership() {
    DivisionInfo info = division.getInfo();
    if (!info.isLeader()) {
      return null;
    }
    return LeaderHeartbeats.of(division.getMemberId()).mark(info.getCurrentTerm());
  }

  /**
   * Whether this member still leads in the marked term and a majority of voters (of both configurations during a
   * change) answered it after the mark.
   */
  public boolean leadershipConfirmed(LeaderHeartbeats.Marks marks) {
    return LeaderHeartbeats.leadershipConfirmed(division, marks);
  }

  /** Whether this member leads in {@code term}. */
  public boolean leadsIn(long term) {
    return LeaderHeartbeats.leadsIn(division, term);
  }

  /** ReadIndex: replies once this member applied everything committed when the read arrived. */
  public CompletableFuture<RaftClientReply> readBarrier() {
    return submit(Message.EMPTY, RaftClientRequest.readRequestType());
  }

  private CompletableFuture<RaftClientReply> submit(Message message, RaftClientRequest.Type type) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(server.getId())
        .setGroupId(division.getGroup().getGroupId())
        .setCallId(callIds.incrementAndGet())
        .setMessage(message)
        .setType(type)
        .build();
    try {
      return server.submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Reaches peer {@code id} at {@code address} from now on: this server's Raft connections and the forwarding
   * client's (its group still has the address Ratis' configuration recorded).
   *
   * @return the address it was reached at before, when that changed; null otherwise
   */
  public synchronized String movePeer(RaftPeerId id, String address) {
    String was = null;
    for (PeerProxyMap<?> proxies : new PeerProxyMap<?>[] {
        PeerAddresses.of(server), forwarder == null ? null : PeerAddresses.of(forwarder)}) {
      String before = PeerAddresses.current(proxies, id);
      if (PeerAddresses.move(proxies, id, address) && was == null) {
        was = before;
      }
    }
    return was;
  }

  private synchronized RaftClient forwarder() {
    if (forwarder == null) {
      RaftPeerId leader = division.getInfo().getLeaderId();
      forwarder = RaftClient.newBuilder()
          .setProperties(clientProperties)
          .setParameters(clientParameters)
          .setRaftGroup(division.getGroup())
          .setLeaderId(leader)
          .setClientId(ClientId.randomId())
          // bounded: the proposer owns the overall deadline; the client only follows leader changes
          .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(20,
              TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
          .build();
    }
    return forwarder;
  }

  @Override
  public synchronized void close() {
    if (forwarder != null) {
      try {
        forwarder.close();
      } catch (IOException e) {
        LOG.warn("closing the forwarding Raft client failed", e);
      }
      forwarder = null;
    }
  }
}
