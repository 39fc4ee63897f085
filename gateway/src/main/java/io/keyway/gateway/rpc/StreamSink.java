package io.keyway.gateway.rpc;

/**
 * Where a server-streaming RPC sends its messages, independent of transport. May be called from any thread;
 * the transport moves each call to its own context. After {@link #end} or {@link #fail} nothing more is sent.
 */
public interface StreamSink<T> {
  void next(T message);

  /** Ends the stream normally (gRPC status OK, the HTTP response's last chunk). */
  void end();

  /** Ends the stream with the failure's gRPC status (see {@link RpcFailure}). */
  void fail(Throwable failure);
}
