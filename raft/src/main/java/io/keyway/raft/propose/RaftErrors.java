package io.keyway.raft.propose;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.ConnectionFailureException;
import com.alipay.sofa.jraft.error.InvokeTimeoutException;
import com.alipay.sofa.jraft.error.RaftError;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/** Translates JRaft statuses and peer-RPC failures into the etcd errors a client would see from etcd. */
public final class RaftErrors {
  private RaftErrors() {}

  /**
   * A request that never reached the Raft log (no leader, this member or the one asked does not lead, the
   * leader could not be reached, the leader's queue is full): retrying it cannot apply a write twice.
   */
  public static final class Rejected extends RuntimeException {
    private final EtcdError error;

    public Rejected(EtcdError error, String why) {
      super(why, null, false, false);
      this.error = error;
    }

    /** The error to report once the request's deadline passed. */
    public EtcdError error() {
      return error;
    }
  }

  public static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  /**
   * The failure of a write's {@code Node.apply}. JRaft answers a member that does not lead (or a busy one)
   * before appending; every other failure (leader stepped down, term changed) may leave the entry in the log.
   */
  public static RuntimeException ofApply(Status status) {
    RaftError code = status.getRaftError();
    String msg = String.valueOf(status.getErrorMsg());
    if (code == RaftError.EPERM && msg.startsWith("Is not leader")) {
      return new Rejected(EtcdError.NO_LEADER, msg);
    }
    if (code == RaftError.EBUSY) {
      return new Rejected(EtcdError.TOO_MANY_REQUESTS, msg);
    }
    return of(status);
  }

  /**
   * The failure of a ReadIndex round. A follower whose leader refused the round (it stepped down, or it has not
   * committed an entry of its term yet, as right after an election or a leadership transfer) gets JRaft's
   * code -1 "Fail to run ReadIndex task, maybe the leader stepped down": for a read that is a leader change,
   * which the read barrier retries, never an unknown error for the client.
   */
  public static EtcdException ofReadIndex(Status status) {
    return status.getRaftError() == RaftError.UNKNOWN ? EtcdError.LEADER_CHANGED.exception() : of(status);
  }

  /** A failed status as the etcd error it means. */
  public static EtcdException of(Status status) {
    RaftError code = status.getRaftError();
    if (code == null) {
      return new EtcdException(GrpcCode.UNKNOWN, "keyway: raft: " + status);
    }
    return switch (code) {
      case EPERM, ELEADERREMOVED, ELEADERCONFLICT, ENEWLEADER, ETRANSFERLEADERSHIP, ESTATEMACHINE -> 
          EtcdError.LEADER_CHANGED.exception();
      // EINTERNAL: JRaft's own RPC failed (a follower's ReadIndex did not reach the leader in time)
      case ETIMEDOUT, ERAFTTIMEDOUT, ECATCHUP, EAGAIN, EHOSTDOWN, EINTERNAL, EINTR -> EtcdError.TIMEOUT.exception();
      case ESTOP, ENODESHUTDOWN, ESHUTDOWN -> EtcdError.STOPPED.exception();
      case EBUSY -> EtcdError.TOO_MANY_REQUESTS.exception();
      default -> new EtcdException(GrpcCode.UNKNOWN, "keyway: raft: " + status);
    };
  }

  /** Failures after which a read may simply be tried again (reads have no side effects). */
  public static boolean retriableRead(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof Rejected || c instanceof ConnectionFailureException || c instanceof InvokeTimeoutException) {
      return true;
    }
    return c instanceof EtcdException e
        && (e.error() == EtcdError.LEADER_CHANGED || e.error() == EtcdError.NO_LEADER
        || e.error() == EtcdError.TIMEOUT);
  }

  public static boolean rejectedBeforeAppend(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof Rejected || c instanceof ConnectionFailureException;
  }

  public static EtcdException toEtcd(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof EtcdException e) {
      return e;
    }
    if (c instanceof Rejected r) {
      return r.error().exception();
    }
    if (c instanceof InvokeTimeoutException || c instanceof TimeoutException
        || c instanceof ConnectionFailureException || c instanceof com.alipay.sofa.jraft.error.RemotingException) {
      // the leader did not answer in time or could not be reached: etcd's member waits until the request times out
      return EtcdError.TIMEOUT.exception();
    }
    if (c instanceof RejectedExecutionException) {
      return EtcdError.STOPPED.exception();
    }
    return new EtcdException(GrpcCode.UNKNOWN, "keyway: " + c);
  }
}
