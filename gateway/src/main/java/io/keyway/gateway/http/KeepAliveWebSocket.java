package io.keyway.gateway.http;

import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.LeaseKeepAliveRequest;
import io.keyway.gateway.json.GoJsonReader;
import io.keyway.gateway.json.JsonCodec;
import io.keyway.gateway.json.JsonDecodeException;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.raft.EtcdLease;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayDeque;

/**
 * {@code /v3/lease/keepalive} over a WebSocket, as etcd's grpc-websocket-proxy serves it (etcd-api.md §3.2):
 * each text or binary message holds one or more JSON {@code LeaseKeepAliveRequest}s, each answered in order by
 * a text message {@code {"result":{...LeaseKeepAliveResponse...}}}; an unknown or expired lease answers TTL 0,
 * as over HTTP. Like the watch WebSocket, a bad value is answered with the gateway's error body and the socket
 * keeps working (etcd's proxy would stop reading it), and so is a failed keep-alive (etcd would end the stream).
 */
final class KeepAliveWebSocket {
  /** Requests queued beyond this pause reading until the answers catch up. */
  private static final int MAX_QUEUED = 1024;

  private final EtcdLease lease;
  private final Context context;
  private final JsonWebSocket ws;
  /** Decoded requests not yet served, and bad values to report in their place (as Strings). */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private boolean busy;
  private boolean stopped;

  KeepAliveWebSocket(EtcdLease lease, Context context, JsonWebSocket ws) {
    this.lease = lease;
    this.context = context;
    this.ws = ws;
  }

  void start() {
    ws.start(this::onMessage, () -> stopped = true);
  }

  private void onMessage(byte[] message) {
    int at = 0;
    while (true) {
      try {
        GoJsonReader.Next next = GoJsonReader.decodeNext(message, at);
        if (next.value() == null) {
          break;
        }
        at = next.end();
        queue.add(JsonCodec.merge(next.value(), LeaseKeepAliveRequest.newBuilder()).build());
      } catch (JsonDecodeException e) {
        queue.add(e.getMessage()); // answered after the requests before it, so the client can tell which
        break;
      }
    }
    if (queue.size() > MAX_QUEUED) {
      ws.socket().pause();
    }
    pump();
  }

  private void pump() {
    while (!busy && !stopped && !queue.isEmpty()) {
      Object next = queue.poll();
      if (next instanceof String decodeError) {
        // streaming routes pass the decoder's error on unwrapped: Unknown
        ws.writeError(GrpcCode.UNKNOWN, decodeError);
      } else {
        serve(((LeaseKeepAliveRequest) next).getID());
      }
    }
    if (queue.size() <= MAX_QUEUED / 2 && !stopped) {
      ws.socket().resume();
    }
  }

  private void serve(long id) {
    busy = true;
    Future.fromCompletionStage(lease.keepAlive(id), context).onComplete(ar -> {
      busy = false;
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        ws.writeResult(JsonCodec.print(ar.result()));
      } else {
        RpcFailure f = RpcFailure.of(ar.cause());
        ws.writeError(f.code(), f.message());
      }
      pump();
    });
  }
}
