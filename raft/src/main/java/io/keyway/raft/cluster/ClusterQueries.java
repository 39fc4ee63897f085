package io.keyway.raft.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.ClusterInfo;
import io.keyway.api.raftpb.MemberChange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Member-to-member questions about the cluster, sent as peer calls: the cluster's identity and member list (for a
 * member joining an existing cluster) and the leader-only checks of a membership change (etcd's strict
 * reconfiguration and learner readiness checks need the leader's view of its followers) are answered after a
 * ReadIndex round; a member's own log position (the leader asks a learner before promoting it) from local state.
 * Never stored in the log.
 *
 * <p>An answer is one status byte ({@link #OK}, {@link #REFUSED} with the error's name, {@link #NOT_LEADER})
 * and a body.
 */
public final class ClusterQueries {
  public static final byte INFO = 10;
  static final byte CHECK = 11;
  /** Answered without a ReadIndex round (see RaftEndpoint.LOCAL_QUERIES). */
  static final byte LOG_INDEX = 30;
  private static final byte OK = 0;
  private static final byte REFUSED = 1;
  private static final byte NOT_LEADER = 2;

  private ClusterQueries() {}

  /** Whether {@code kind} is one of these (the other queries belong to the lessor). */
  public static boolean isClusterQuery(byte kind) {
    return kind == INFO || kind == CHECK || kind == LOG_INDEX;
  }

  static ByteString check(MemberChange change) {
    return change.toByteString();
  }

  /**
   * The answering side.
   *
   * @param info     the cluster's identity and current member list
   * @param checker  the leader-only checks of a change; null when they pass
   * @param lastLog  this member's last log index
   */
  public static CompletableFuture<ByteString> answer(byte kind, ByteString body, boolean leader,
      Supplier<ClusterInfo> info, Function<MemberChange, EtcdError> checker, LongSupplier lastLog) {
    try {
      return switch (kind) {
        // any member may answer: the peer port answers after a ReadIndex round, so it is current
        case INFO -> done(OK, info.get().toByteArray());
        case CHECK -> {
          if (!leader) {
            yield done(NOT_LEADER, new byte[0]);
          }
          EtcdError refusal = checker.apply(MemberChange.parseFrom(body));
          yield refusal == null ? done(OK, new byte[0])
              : done(REFUSED, refusal.name().getBytes(StandardCharsets.UTF_8));
        }
        case LOG_INDEX -> done(OK, ByteBuffer.allocate(8).putLong(lastLog.getAsLong()).array());
        default -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown cluster query " + kind));
      };
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  public static ClusterInfo infoReply(ByteString reply) {
    try {
      return ClusterInfo.parseFrom(body(reply));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable cluster info", e);
    }
  }

  static long logIndexReply(ByteString reply) {
    return ByteBuffer.wrap(body(reply)).getLong();
  }

  /** Throws the leader's refusal, if any. */
  static void checkReply(ByteString reply) {
    body(reply);
  }

  private static byte[] body(ByteString reply) {
    byte[] bytes = reply == null ? new byte[0] : reply.toByteArray();
    if (bytes.length == 0 || bytes[0] == NOT_LEADER) {
      throw EtcdError.LEADER_CHANGED.exception();
    }
    byte[] body = new byte[bytes.length - 1];
    System.arraycopy(bytes, 1, body, 0, body.length);
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

  private static CompletableFuture<ByteString> done(byte status, byte[] body) {
    byte[] bytes = new byte[body.length + 1];
    bytes[0] = status;
    System.arraycopy(body, 0, bytes, 1, body.length);
    return CompletableFuture.completedFuture(ByteString.copyFrom(bytes));
  }
}
