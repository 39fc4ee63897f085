package io.keyway.raft.propose;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;

/** Translates Ratis failures into the etcd errors a client would see from etcd in the same situation. */
public final class RatisErrors {
  private RatisErrors() {}

  public static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException || cur instanceof ReadException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  /**
   * Failures that Ratis reports before the request reached the log (no leader yet, leader not ready, server
   * still starting): retrying cannot apply a write twice.
   */
  public static boolean rejectedBeforeAppend(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof LeaderNotReadyException || c instanceof ServerNotReadyException;
  }

  /** Failures after which a read may simply be tried again (reads have no side effects). */
  public static boolean retriableRead(Throwable t) {
    Throwable c = unwrap(t);
    return rejectedBeforeAppend(c) || c instanceof NotLeaderException || c instanceof ReadIndexException
        || c instanceof LeaderSteppingDownException || c instanceof TransferLeadershipException
        || unreachable(c);
  }

  /**
   * The leader did not answer in time or could not be reached (it died, froze or is partitioned away): etcd's
   * member keeps waiting until its request times out.
   */
  static boolean unreachable(Throwable c) {
    if (c instanceof java.io.IOException && c.getCause() instanceof StatusRuntimeException) {
      c = c.getCause();
    }
    if (c instanceof StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      // a leader killed mid-call: gRPC reports the closed transport as UNKNOWN "channel closed" (or CANCELLED)
      return code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.UNAVAILABLE
          || code == Status.Code.CANCELLED
          || code == Status.Code.UNKNOWN && String.valueOf(e.getStatus().getDescription()).contains("channel closed");
    }
    return c instanceof java.net.ConnectException || c instanceof java.nio.channels.ClosedChannelException;
  }

  public static EtcdException toEtcd(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof EtcdException e) {
      return e;
    }
    if (c instanceof NotLeaderException || c instanceof LeaderSteppingDownException
        || c instanceof TransferLeadershipException || c instanceof ReadIndexException) {
      return EtcdError.LEADER_CHANGED.exception();
    }
    if (c instanceof LeaderNotReadyException || c instanceof ServerNotReadyException) {
      return EtcdError.NO_LEADER.exception();
    }
    if (c instanceof ReadException) {
      // a read that got its index but whose member did not apply that far within the read timeout
      // ("Read timeout …ms for index …"): etcd's member answers such a read with a timeout too
      return EtcdError.TIMEOUT.exception();
    }
    if (c instanceof TimeoutIOException || c instanceof RaftRetryFailureException
        || c instanceof java.util.concurrent.TimeoutException || unreachable(c)) {
      return EtcdError.TIMEOUT.exception();
    }
    if (c instanceof AlreadyClosedException || c instanceof GroupMismatchException
        || c instanceof RejectedExecutionException) {
      // Ratis' executors refuse work once the server is closing
      return EtcdError.STOPPED.exception();
    }
    if (c instanceof ResourceUnavailableException) {
      return EtcdError.TOO_MANY_REQUESTS.exception();
    }
    return new EtcdException(GrpcCode.UNKNOWN, "keyway: " + c);
  }
}
