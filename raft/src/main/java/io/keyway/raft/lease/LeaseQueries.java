package io.keyway.raft.lease;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.LeaseKeepAliveRequest;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.store.lease.Lessor;
import java.util.concurrent.CompletableFuture;

/**
 * What a follower asks the leader's lessor (etcd forwards keep-alives and time-to-live to the leader over its
 * peer HTTP API; here they travel as peer calls the leader answers after a ReadIndex round, which also proves it
 * still leads). Member-to-member only, never stored in the log.
 *
 * <p>A query is a kind and the etcd request. The answer is the etcd response, or empty when the member asked is
 * not the primary lessor (not the leader, or not promoted yet).
 */
public final class LeaseQueries {
  static final byte RENEW = 1;
  static final byte TIME_TO_LIVE = 2;

  private LeaseQueries() {}

  static ByteString renew(long id) {
    return LeaseKeepAliveRequest.newBuilder().setID(id).build().toByteString();
  }

  static ByteString timeToLive(LeaseTimeToLiveRequest request) {
    return request.toByteString();
  }

  public static boolean isLeaseQuery(byte kind) {
    return kind == RENEW || kind == TIME_TO_LIVE;
  }

  /** The leader side: answers a query with its lessor. Never blocks (a renewal may wait for a revoke). */
  public static CompletableFuture<ByteString> answer(Lessor lessor, byte kind, ByteString body) {
    try {
      switch (kind) {
        case RENEW -> {
          long id = LeaseKeepAliveRequest.parseFrom(body).getID();
          return lessor.renew(id).handle((ttl, failure) -> {
            if (failure == null) {
              return LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(ttl).build().toByteString();
            }
            if (cause(failure) instanceof EtcdException e && e.error() == EtcdError.LEASE_NOT_FOUND) {
              return LeaseKeepAliveResponse.newBuilder().setID(id).setTTL(0).build().toByteString();
            }
            return ByteString.EMPTY;
          });
        }
        case TIME_TO_LIVE -> {
          LeaseTimeToLiveRequest request = LeaseTimeToLiveRequest.parseFrom(body);
          if (!lessor.isPrimary()) {
            return CompletableFuture.completedFuture(ByteString.EMPTY);
          }
          LeaseTimeToLiveResponse r = lessor.timeToLive(request.getID(), request.getKeys());
          if (r == null) {
            r = LeaseTimeToLiveResponse.newBuilder().setID(request.getID()).setTTL(-1).build();
          }
          return CompletableFuture.completedFuture(r.toByteString());
        }
        default -> {
          return CompletableFuture.failedFuture(new IllegalArgumentException("unknown lease query " + kind));
        }
      }
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The follower side: the leader's granted TTL (0 for an unknown lease). */
  static long renewReply(ByteString reply) {
    try {
      return LeaseKeepAliveResponse.parseFrom(content(reply)).getTTL();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable keep-alive answer from the leader", e);
    }
  }

  static LeaseTimeToLiveResponse timeToLiveReply(ByteString reply) {
    try {
      return LeaseTimeToLiveResponse.parseFrom(content(reply));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable time-to-live answer from the leader", e);
    }
  }

  /** An empty answer: the member asked was no longer the leader; the client should retry. */
  private static ByteString content(ByteString reply) {
    if (reply == null || reply.isEmpty()) {
      throw EtcdError.LEADER_CHANGED.exception();
    }
    return reply;
  }

  private static Throwable cause(Throwable t) {
    Throwable c = t;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
