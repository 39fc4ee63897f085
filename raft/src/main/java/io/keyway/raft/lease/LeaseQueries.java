package io.keyway.raft.lease;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.LeaseKeepAliveRequest;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.store.lease.Lessor;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * What a follower asks the leader's lessor (etcd forwards keep-alives and time-to-live to the leader over its
 * peer HTTP API; here they travel as Raft read-only queries, so the leader answers after a ReadIndex round,
 * which also proves it still leads). Member-to-member only, never stored in the log.
 *
 * <p>A query is one kind byte followed by the etcd request. The answer is the etcd response, or an empty
 * message when the member asked is not the primary lessor (not the leader, or not promoted yet).
 */
public final class LeaseQueries {
  private static final byte RENEW = 1;
  private static final byte TIME_TO_LIVE = 2;

  private LeaseQueries() {}

  static Message renew(long id) {
    return encode(RENEW, LeaseKeepAliveRequest.newBuilder().setID(id).build().toByteArray());
  }

  static Message timeToLive(LeaseTimeToLiveRequest request) {
    return encode(TIME_TO_LIVE, request.toByteArray());
  }

  private static Message encode(byte kind, byte[] body) {
    byte[] bytes = new byte[body.length + 1];
    bytes[0] = kind;
    System.arraycopy(body, 0, bytes, 1, body.length);
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
  }

  /** Whether {@code query} is a lease query (the state machine's other queries are empty read barriers). */
  public static boolean isLeaseQuery(Message query) {
    return !query.getContent().isEmpty();
  }

  /** The leader side: answers a query with its lessor. Never blocks (a renewal may wait for a revoke). */
  public static CompletableFuture<Message> answer(Lessor lessor, Message query) {
    byte[] bytes = query.getContent().toByteArray();
    try {
      switch (bytes[0]) {
        case RENEW -> {
          long id = LeaseKeepAliveRequest.parseFrom(slice(bytes)).getID();
          return lessor.renew(id).handle((ttl, failure) -> {
            if (failure == null) {
              return reply(LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(ttl).build().toByteArray());
            }
            if (cause(failure) instanceof EtcdException e && e.error() == EtcdError.LEASE_NOT_FOUND) {
              return reply(LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(0).build().toByteArray());
            }
            return Message.EMPTY;
          });
        }
        case TIME_TO_LIVE -> {
          LeaseTimeToLiveRequest request = LeaseTimeToLiveRequest.parseFrom(slice(bytes));
          if (!lessor.isPrimary()) {
            return CompletableFuture.completedFuture(Message.EMPTY);
          }
          LeaseTimeToLiveResponse r = lessor.timeToLive(request.getID(), request.getKeys());
          if (r == null) {
            r = LeaseTimeToLiveResponse.newBuilder().setID(request.getID()).setTTL(-1).build();
          }
          return CompletableFuture.completedFuture(reply(r.toByteArray()));
        }
        default -> {
          return CompletableFuture.failedFuture(new IllegalArgumentException("unknown lease query " + bytes[0]));
        }
      }
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The follower side: the leader's granted TTL (0 for an unknown lease). */
  static long renewReply(Message reply) {
    byte[] bytes = content(reply);
    try {
      return LeaseKeepAliveResponse.parseFrom(bytes).getTTL();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable keep-alive answer from the leader", e);
    }
  }

  static LeaseTimeToLiveResponse timeToLiveReply(Message reply) {
    byte[] bytes = content(reply);
    try {
      return LeaseTimeToLiveResponse.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable time-to-live answer from the leader", e);
    }
  }

  /** An empty answer: the member asked was no longer the leader; the client should retry. */
  private static byte[] content(Message reply) {
    if (reply == null || reply.getContent().isEmpty()) {
      throw EtcdError.LEADER_CHANGED.exception();
    }
    return reply.getContent().toByteArray();
  }

  private static Message reply(byte[] bytes) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
  }

  private static byte[] slice(byte[] bytes) {
    byte[] body = new byte[bytes.length - 1];
    System.arraycopy(bytes, 1, body, 0, body.length);
    return body;
  }

  private static Throwable cause(Throwable t) {
    Throwable c = t;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
