package io.keyway.gateway.watch;

import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.gateway.http.GatewayErrors;
import io.keyway.gateway.json.JsonDecodeException;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code POST /v3/watch} the way etcd 3.5's grpc-gateway serves the Watch stream over plain HTTP/1.1 (or
 * HTTP/2 without gRPC): the body is a stream of concatenated JSON {@code WatchRequest}s, handled as they
 * arrive; every {@code WatchResponse} is one chunk {@code {"result":{...}}\n}. The response stays open after
 * the body ends (etcd's watch server ignores the client's half-close) until the client disconnects.
 *
 * <p>Errors, as grpc-gateway v1.16 reports them: a bad first value is an ordinary unary error (500, code 2,
 * because streaming routes do not wrap decode errors as InvalidArgument); a bad later value silently stops
 * reading the body while events keep flowing; a request over the gRPC receive limit ends the stream with one
 * error chunk {@code {"error":{"grpc_code":8,"http_code":429,...}}} without a newline.
 *
 * <p>Unlike etcd, the 200 header is sent as soon as the stream is open: etcd sends nothing until the first
 * watch response, so an empty body, {@code {}} or a cancel of an unknown id leaves its client waiting for
 * headers that never come.
 */
final class WatchHttpStream implements WatchSession.Transport {
  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence GRPC_METADATA_CONTENT_TYPE =
      HttpHeaders.createOptimized("Grpc-Metadata-Content-Type");
  private static final CharSequence APPLICATION_GRPC = HttpHeaders.createOptimized("application/grpc");

  private final WatchHub hub;
  private final Context context;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final JsonWatchRequests body;
  private WatchSession session;
  /** The body is no longer read: a later value was bad (etcd's decoder goroutine gives up), or we ended. */
  private boolean stopReading;
  private boolean done;

  WatchHttpStream(WatchHub hub, Context context, HttpServerRequest request) {
    this.hub = hub;
    this.context = context;
    this.request = request;
    this.response = request.response();
    this.body = new JsonWatchRequests(hub.maxMessageSize());
  }

  void start() {
    response.closeHandler(v -> finish());
    request.exceptionHandler(t -> finish());
    request.handler(chunk -> {
      if (stopReading || done) {
        return; // read and dropped, as the gateway stops reading the pipe
      }
      body.append(chunk.getBytes());
      pump();
    });
    request.endHandler(v -> {
      body.end();
      pump();
    });
    request.resume();
  }

  /** Hands every complete request to the session, unless it asked us to wait. */
  private void pump() {
    while (!done && !stopReading && (session == null || !session.paused())) {
      WatchRequest next;
      try {
        next = body.next();
      } catch (JsonDecodeException e) {
        decodeFailed(e.getMessage());
        return;
      } catch (JsonWatchRequests.TooLarge e) {
        streamError(GrpcCode.RESOURCE_EXHAUSTED, "grpc: received message larger than max (" + e.size + " vs. "
            + hub.maxMessageSize() + ")");
        return;
      }
      if (next == null) {
        if (body.exhausted() && session == null) {
          open(); // an empty body: etcd hangs without headers, we show the (idle) stream
        }
        return;
      }
      if (session == null && !open()) {
        return;
      }
      session.request(next);
    }
  }

  private boolean open() {
    try {
      session = WatchSession.open(hub, context,
          new WatchCaller("http", String.valueOf(request.remoteAddress()), request.headers()),
          Integer.MAX_VALUE, this);
    } catch (EtcdException e) {
      done = true;
      unaryError(e.code(), e.getMessage());
      return false;
    }
    response.drainHandler(v -> session.drain());
    writeHeaders(200);
    response.writeHead();
    return true;
  }

  private void decodeFailed(String message) {
    stopReading = true;
    if (session == null) {
      done = true;
      // streaming routes pass the decoder's error on unwrapped: Unknown, hence 500
      unaryError(GrpcCode.UNKNOWN, message);
    }
  }

  private void unaryError(int grpcCode, String message) {
    writeHeaders(GatewayErrors.httpStatus(grpcCode));
    response.setChunked(false).end(GatewayErrors.body(grpcCode, message));
  }

  /** The stream failed: one error chunk (setting the status if nothing was sent yet), then the end. */
  private void streamError(int grpcCode, String message) {
    done = true;
    stopReading = true;
    if (!response.headWritten()) {
      writeHeaders(GatewayErrors.httpStatus(grpcCode));
    }
    response.end(WatchJson.streamError(grpcCode, message));
    finish();
  }

  private void writeHeaders(int status) {
    response.setStatusCode(status).setChunked(true);
    response.headers()
        .set(CONTENT_TYPE, APPLICATION_JSON)
        .set(GRPC_METADATA_CONTENT_TYPE, APPLICATION_GRPC);
  }

  private void finish() {
    done = true;
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
    if (response.ended() || response.closed()) {
      finish();
      return;
    }
    response.write(WatchJson.result(watchResponse) + "\n");
  }

  @Override
  public void pauseRequests() {
    request.pause();
  }

  @Override
  public void resumeRequests() {
    request.resume();
    pump(); // values of the last chunk that were not handed over yet
  }

  @Override
  public void terminate() {
    done = true;
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }
}
