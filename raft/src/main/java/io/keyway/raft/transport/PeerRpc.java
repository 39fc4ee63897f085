package io.keyway.raft.transport;

import com.alipay.sofa.jraft.error.RemotingException;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.InvokeCallback;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.raft.propose.RaftErrors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyway's own member-to-member calls on the Raft peer port, next to JRaft's: forwarded writes, questions to the
 * leader (lease keep-alive and time-to-live, membership checks) and the cluster identity for joining members.
 *
 * <p>A call is one {@link BytesValue}: a kind byte and a body. An answer is a status byte and a body: {@link #OK}
 * with the handler's bytes, {@link #REJECTED} with an {@link EtcdError} name (the request never reached the log:
 * the caller may retry), {@link #FAILED} with an {@link EtcdError} name.
 */
public final class PeerRpc implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerRpc.class);
  private static final byte OK = 0;
  private static final byte REJECTED = 1;
  private static final byte FAILED = 2;

  /** Answers a call of one kind; completes with the reply body or fails (see the class comment). */
  public interface Handler {
    CompletableFuture<ByteString> handle(byte kind, ByteString body);
  }

  static {
    com.alipay.remoting.CustomSerializerManager.registerCustomSerializer(BytesValue.class.getName(),
        BytesValueSerializer.INSTANCE);
  }

  private final RpcClient client;

  private PeerRpc(RpcClient client) {
    this.client = client;
  }

  /** A client for calls to other members; {@code tls} null: plaintext (no peer TLS configured). */
  public static PeerRpc client(PeerTlsChannels tls) {
    RpcClient c = RpcFactoryHelper.rpcFactory().createRpcClient();
    if (tls != null) {
      PeerTlsRpcFactory.secure(c, tls);
    }
    RpcOptions options = new RpcOptions();
    options.setRpcConnectTimeoutMs(1000);
    c.init(options);
    return new PeerRpc(c);
  }

  /** Serves {@code handler} on {@code server}; answers are sent from {@code executor}. */
  public static void serve(RpcServer server, Handler handler, Executor executor) {
    server.registerProcessor(new RpcProcessor<BytesValue>() {
      @Override
      public void handleRequest(RpcContext ctx, BytesValue request) {
        ByteString bytes = request.getValue();
        CompletableFuture<ByteString> answer;
        try {
          answer = bytes.isEmpty() ? CompletableFuture.failedFuture(new IllegalArgumentException("empty call"))
              : handler.handle(bytes.byteAt(0), bytes.substring(1));
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
        answer.whenCompleteAsync((body, failure) -> ctx.sendResponse(encodeAnswer(body, failure)), executor);
      }

      @Override
      public String interest() {
        return BytesValue.class.getName();
      }

      @Override
      public Executor executor() {
        return executor;
      }
    });
  }

  private static BytesValue encodeAnswer(ByteString body, Throwable failure) {
    if (failure == null) {
      return BytesValue.newBuilder().setValue(ByteString.copyFrom(new byte[] {OK}).concat(body)).build();
    }
    Throwable c = RaftErrors.unwrap(failure);
    byte status;
    EtcdError error;
    if (c instanceof RaftErrors.Rejected r) {
      status = REJECTED;
      error = r.error();
    } else {
      status = FAILED;
      EtcdException e = RaftErrors.toEtcd(c);
      error = e.error() != null ? e.error() : EtcdError.NOT_CAPABLE;
      if (e.error() == null) {
        LOG.debug("peer call failed: {}", c.toString());
      }
    }
    return BytesValue.newBuilder().setValue(ByteString.copyFrom(new byte[] {status})
        .concat(ByteString.copyFromUtf8(error.name()))).build();
  }

  /** Calls {@code to}; the future completes on a Bolt thread, so callers continue with an *Async method. */
  public CompletableFuture<ByteString> call(Endpoint to, byte kind, ByteString body, long timeoutMs) {
    CompletableFuture<ByteString> result = new CompletableFuture<>();
    BytesValue request = BytesValue.newBuilder()
        .setValue(ByteString.copyFrom(new byte[] {kind}).concat(body)).build();
    try {
      client.invokeAsync(to, request, new InvokeCallback() {
        @Override
        public void complete(Object answer, Throwable err) {
          if (err != null) {
            result.completeExceptionally(translate(err));
          } else {
            try {
              result.complete(decodeAnswer((BytesValue) answer));
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
          }
        }
      }, timeoutMs);
    } catch (RemotingException e) {
      // nothing was sent (no connection to the peer)
      result.completeExceptionally(new RaftErrors.Rejected(EtcdError.TIMEOUT, "cannot reach " + to + ": " + e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.completeExceptionally(EtcdError.STOPPED.exception());
    }
    return result;
  }

  /**
   * Bolt's failures of a call in flight, as etcd's errors: not sent at all (may be retried), no answer in time
   * (timed out), or the connection closed while the peer had the call (its fate is unknown: the peer died or
   * restarted, for a forwarded write "leader changed").
   */
  private static Throwable translate(Throwable err) {
    if (err instanceof com.alipay.remoting.rpc.exception.InvokeSendFailedException) {
      return new RaftErrors.Rejected(EtcdError.TIMEOUT, "not sent: " + err.getMessage());
    }
    if (err instanceof com.alipay.remoting.exception.ConnectionClosedException) {
      return EtcdError.LEADER_CHANGED.exception();
    }
    if (err instanceof com.alipay.remoting.exception.RemotingException
        || err instanceof com.alipay.sofa.jraft.error.RemotingException) {
      return EtcdError.TIMEOUT.exception();
    }
    return err;
  }

  private static ByteString decodeAnswer(BytesValue answer) {
    ByteString bytes = answer.getValue();
    if (bytes.isEmpty()) {
      throw new IllegalStateException("empty peer answer");
    }
    byte status = bytes.byteAt(0);
    ByteString body = bytes.substring(1);
    if (status == OK) {
      return body;
    }
    EtcdError error;
    try {
      error = EtcdError.valueOf(body.toStringUtf8());
    } catch (IllegalArgumentException e) {
      error = EtcdError.NOT_CAPABLE;
    }
    if (status == REJECTED) {
      throw new RaftErrors.Rejected(error, "refused by the peer: " + error);
    }
    throw error.exception();
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
