package io.keyway.gateway.watch;

import io.keyway.gateway.grpc.GrpcStatusMessage;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.gateway.grpc.GrpcStatusMessage;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * One {@code etcdserverpb.Watch/Watch} call: a bidirectional stream that lives until the client cancels it
 * or the connection goes. The client's half-close is ignored, as etcd's watch server ignores EOF.
 */
final class GrpcWatchCall implements WatchSession.Transport {
  /** clientv3's {@code WithRequireLeader} metadata. */
  private static final String REQUIRE_LEADER = "hasleader";

  private final WatchHub hub;
  private final GrpcServerRequest<Object, WatchResponse> request;
  private final GrpcServerResponse<Object, WatchResponse> response;
  private WatchSession session;
  private boolean ended;

  GrpcWatchCall(WatchHub hub, GrpcServerRequest<Object, WatchResponse> request) {
    this.hub = hub;
    this.request = request;
    this.response = request.response();
  }

  void start() {
    String encoding = request.encoding();
    if (encoding != null && !encoding.equals("identity") && !encoding.equals("gzip")) {
      end(GrpcCode.UNIMPLEMENTED, "grpc: Decompressor is not installed for grpc-encoding \"" + encoding + "\"");
      return;
    }
    if ("true".equals(request.headers().get(REQUIRE_LEADER)) && !hub.hasLeader()) {
      end(EtcdError.NO_LEADER.code(), EtcdError.NO_LEADER.message());
      return;
    }
    try {
      session = WatchSession.open(hub, Vertx.currentContext(),
          new WatchCaller("grpc", String.valueOf(request.connection().remoteAddress()), request.headers(),
              request.connection()),
          Integer.MAX_VALUE, this);
    } catch (EtcdException e) {
      end(e.code(), e.getMessage());
      return;
    }
    response.drainHandler(v -> session.drain());
    response.exceptionHandler(t -> session.close());
    request.exceptionHandler(t -> session.close()); // reset by the client, or the connection closed
    request.errorHandler(error -> session.close());
    request.invalidMessageHandler(invalid -> {
      if (invalid instanceof MessageSizeOverflowException overflow) {
        end(GrpcCode.RESOURCE_EXHAUSTED, "grpc: received message larger than max (" + overflow.messageSize()
            + " vs. " + hub.maxMessageSize() + ")");
      } else {
        end(GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + invalid.getMessage());
      }
    });
    request.handler(message -> {
      if (message instanceof WatchGrpcService.Undecodable bad) {
        end(GrpcCode.INTERNAL, "grpc: error unmarshalling request: " + bad.reason());
        return;
      }
      session.request((WatchRequest) message);
    });
    request.endHandler(v -> { }); // half-close: etcd keeps sending events
  }

  private void end(int code, String message) {
    if (!ended) {
      ended = true;
      // the client may have reset the stream already; Vert.x then fails this write, which is fine
      GrpcStatusMessage.end(response, code, message);
    }
    if (session != null) {
      session.close();
    }
  }

  // ---- WatchSession.Transport ----------------------------------------------------------------------------

  @Override
  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  public void write(WatchResponse watchResponse) {
    response.write(watchResponse).onFailure(t -> session.close());
  }

  @Override
  public void pauseRequests() {
    request.pause();
  }

  @Override
  public void resumeRequests() {
    request.resume();
  }

  @Override
  public void terminate() {
    end(EtcdError.STOPPED.code(), EtcdError.STOPPED.message());
  }
}
