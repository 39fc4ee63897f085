package io.keyway.raft.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.ClusterInfo;
import io.keyway.api.raftpb.MemberChange;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Member-to-member questions about the cluster, sent as Raft read-only queries so the leader answers them after
 * a ReadIndex round: the cluster's identity and member list (for a member joining an existing cluster), and
 * the leader-only checks of a membership change (etcd's strict reconfiguration and learner readiness checks
 * need the leader's view of its followers). Never stored in the log.
 *
 * <p>A query is one kind byte and a body; an answer is one status byte ({@link #OK}, {@link #REFUSED} with
 * the error's name, {@link #NOT_LEADER}) and a body.
 */
public final class ClusterQueries {
  static final byte INFO = 10;
  static final byte CHECK = 11;
  private static final byte OK = 0;
  private static final byte REFUSED = 1;
  private static final byte NOT_LEADER = 2;

  private ClusterQueries() {}

  /** Whether {@code query} is one of these (the state machine's other queries belong to the lessor). */
  public static boolean isClusterQuery(Message query) {
    if (query.getContent().isEmpty()) {
      return false;
    }
    byte kind = query.getContent().byteAt(0);
    return kind == INFO || kind == CHECK;
  }

  static Message info() {
    return encode(INFO, new byte[0]);
  }

  static Message check(MemberChange change) {
    return encode(CHECK, change.toByteArray());
  }

  /**
   * The leader side.
   *
   * @param info    the cluster's identity and current member list
   * @param checker the leader-only checks of a change; null when they pass
   */
  public static CompletableFuture<Message> answer(Message query, boolean leader, Supplier<ClusterInfo> info,
      Function<MemberChange, EtcdError> checker) {
    byte[] bytes = query.getContent().toByteArray();
    try {
      return switch (bytes[0]) {
        // any member may answer: Ratis runs a query on a follower after a ReadIndex round, so it is current
        case INFO -> done(OK, info.get().toByteArray());
        case CHECK -> {
          if (!leader) {
            yield done(NOT_LEADER, new byte[0]);
          }
          EtcdError refusal = checker.apply(MemberChange.parseFrom(slice(bytes)));
          yield refusal == null ? done(OK, new byte[0])
              : done(REFUSED, refusal.name().getBytes(StandardCharsets.UTF_8));
        }
        default -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown cluster query " + bytes[0]));
      };
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  static ClusterInfo infoReply(Message reply) {
    try {
      return ClusterInfo.parseFrom(body(reply));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable cluster info from the leader", e);
    }
  }

  /** Throws the leader's refusal, if any. */
  static void checkReply(Message reply) {
    body(reply);
  }

  private static byte[] body(Message reply) {
    byte[] bytes = reply == null ? new byte[0] : reply.getContent().toByteArray();
    if (bytes.length == 0 || bytes[0] == NOT_LEADER) {
      throw EtcdError.LEADER_CHANGED.exception();
    }
    byte[] body = slice(bytes);
    if (bytes[0] == REFUSED) {
      throw refusal(new String(body, StandardCharsets.UTF_8));
    }
    return body;
  }

  private static EtcdException refusal(String name) {
    try {
      return EtcdError.valueOf(name).exception();
    } catch (IllegalArgumentException e) {
      return EtcdError.NOT_CAPABLE.exception();
    }
  }

  private static CompletableFuture<Message> done(byte status, byte[] body) {
    byte[] bytes = new byte[body.length + 1];
    bytes[0] = status;
    System.arraycopy(body, 0, bytes, 1, body.length);
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes)));
  }

  private static Message encode(byte kind, byte[] body) {
    byte[] bytes = new byte[body.length + 1];
    bytes[0] = kind;
    System.arraycopy(body, 0, bytes, 1, body.length);
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(bytes));
  }

  private static byte[] slice(byte[] bytes) {
    byte[] body = new byte[bytes.length - 1];
    System.arraycopy(bytes, 1, body, 0, body.length);
    return body;
  }
}
