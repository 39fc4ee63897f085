package io.keyway.gateway.rpc;

import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failed RPC as a client sees it: gRPC code plus message. etcd's own errors keep their exact code and
 * text; anything else is a bug on our side and becomes Unknown with a short message (as grpc-go reports a
 * plain error returned by a handler), logged with its stack trace here so the client never sees one.
 */
public record RpcFailure(int code, String message) {
  private static final Logger LOG = LoggerFactory.getLogger(RpcFailure.class);

  public static RpcFailure of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof EtcdException e) {
      return new RpcFailure(e.code(), e.getMessage() == null ? "" : e.getMessage());
    }
    LOG.warn("unexpected failure while serving a request", t);
    String detail = t.getMessage();
    return new RpcFailure(GrpcCode.UNKNOWN,
        "keyway: internal error: " + t.getClass().getSimpleName() + (detail != null ? ": " + detail : ""));
  }

  public static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }
}
