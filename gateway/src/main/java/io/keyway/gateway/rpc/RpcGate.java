package io.keyway.gateway.rpc;

import com.google.protobuf.Message;
import io.keyway.api.EtcdException;
import java.util.concurrent.CompletionStage;

/**
 * Decides who may call what (auth): every transport hands the caller's raw token here with the request, so
 * all of them enforce the same rules through one validation path.
 */
public interface RpcGate {
  /** Runs {@code rpc} for the caller behind {@code token} (null: none sent), or fails it with etcd's error. */
  CompletionStage<? extends Message> invoke(UnaryRpc<?, ?> rpc, Message request, String token);

  /** Why the caller may not start server stream {@code fullName}; null when it may. */
  EtcdException refuseStream(String fullName, Message request, String token);

  /** Why the caller may not keep lease {@code leaseId} alive; null when it may. */
  EtcdException refuseKeepAlive(String token, long leaseId);

  /**
   * The member's services as the caller behind {@code token} may use them, for RPCs served as a client of the
   * member: every request is checked as if the caller had sent it directly, from the token on (one that names
   * nobody fails each request as it would fail a direct one).
   */
  MemberClient clientFor(String token);
}
