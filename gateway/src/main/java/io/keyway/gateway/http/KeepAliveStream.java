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
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code POST /v3/lease/keepalive} the way etcd 3.5's grpc-gateway serves a bidi stream over plain HTTP: the
 * body is a stream of concatenated JSON {@code LeaseKeepAliveRequest}s, decoded as they arrive; each one is
 * answered, in order, by a chunk {@code {"result":{...}}\n}. The response ends when the body ends and every
 * request was answered (etcd's lease server returns on EOF).
 *
 * <p>Errors, as grpc-gateway v1.16 reports them: a bad first value is an ordinary unary error (500, code 2:
 * streaming routes do not wrap decode errors as InvalidArgument); a bad later value silently stops reading
 * (the answers so far stand); a failed keep-alive ends the stream with one unterminated error chunk
 * {@code {"error":{"grpc_code","http_code","message","http_status"}}}. No header is written before the first
 * answer or error, so an error that comes first also sets the HTTP status.
 */
final class KeepAliveStream {
  private static final CharSequence GRPC_METADATA_CONTENT_TYPE =
      HttpHeaders.createOptimized("Grpc-Metadata-Content-Type");
  private static final CharSequence APPLICATION_GRPC = HttpHeaders.createOptimized("application/grpc");

  private final EtcdLease lease;
  private final long maxPendingBytes;
  private final Context context;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  /** Body bytes received and not yet decoded. */
  private Buffer pending = Buffer.buffer();
  private boolean first = true;
  private boolean bodyEnded;
  private boolean stopReading;
  private boolean busy;
  private boolean done;

  /** @param maxMessageSize the gRPC receive limit; a single request may not exceed it */
  KeepAliveStream(EtcdLease lease, long maxMessageSize, HttpServerRequest request) {
    this.lease = lease;
    // base64-free JSON of a keep-alive is tiny; this only bounds a client that sends garbage without end
    this.maxPendingBytes = 4 * maxMessageSize;
    this.context = Vertx.currentContext();
    this.request = request;
    this.response = request.response();
  }

  void start() {
    response.closeHandler(v -> done = true);
    request.handler(chunk -> {
      if (stopReading || done) {
        return; // read and dropped, as the gateway's decoder goroutine stops reading the pipe
      }
      pending.appendBuffer(chunk);
      pump();
    });
    request.exceptionHandler(t -> {
      done = true;
      response.reset();
    });
    request.endHandler(v -> {
      bodyEnded = true;
      pump();
    });
    request.resume();
  }

  /** Decodes and serves the next request if none is in flight; ends the response once nothing is left. */
  private void pump() {
    if (busy || done) {
      return;
    }
    LeaseKeepAliveRequest next = stopReading ? null : decodeNext();
    if (next != null) {
      first = false;
      serve(next.getID());
      return;
    }
    if ((bodyEnded || stopReading) && !done) {
      done = true;
      writeHeadersIfNeeded(200);
      response.end();
    }
  }

  /** The next complete request, or null when more bytes are needed or reading stopped. */
  private LeaseKeepAliveRequest decodeNext() {
    byte[] bytes = pending.getBytes();
    GoJsonReader.Next value;
    LeaseKeepAliveRequest.Builder builder = LeaseKeepAliveRequest.newBuilder();
    try {
      value = GoJsonReader.decodeNext(bytes, 0);
      if (value.value() == null) {
        if (bytes.length > 0) {
          pending = Buffer.buffer(); // only whitespace so far
        }
        if (bodyEnded) {
          stopReading = true;
        }
        return null;
      }
      JsonCodec.merge(value.value(), builder);
    } catch (JsonDecodeException e) {
      boolean incomplete = "unexpected EOF".equals(e.getMessage()) && !bodyEnded;
      if (incomplete && bytes.length <= maxPendingBytes) {
        return null;
      }
      decodeFailed(e.getMessage());
      return null;
    }
    pending = value.end() == bytes.length ? Buffer.buffer() : pending.getBuffer(value.end(), bytes.length);
    return builder.build();
  }

  private void decodeFailed(String message) {
    stopReading = true;
    if (first) {
      done = true;
      // streaming routes pass the decoder's error on unwrapped: Unknown, hence 500
      JsonGateway.error(response, GrpcCode.UNKNOWN, message);
    }
    // a later bad value only ends reading: pump() ends the response once the answers are out
  }

  private void serve(long id) {
    busy = true;
    Future.fromCompletionStage(lease.keepAlive(id), context).onComplete(ar -> {
      busy = false;
      if (done) {
        return;
      }
      if (ar.failed()) {
        RpcFailure f = RpcFailure.of(ar.cause());
        streamError(f.code(), f.message());
        return;
      }
      writeHeadersIfNeeded(200);
      response.write("{\"result\":" + JsonCodec.print(ar.result()) + "}\n");
      pump();
    });
  }

  /** grpc-gateway v1.16's handleForwardResponseStreamError: one error chunk without a newline, then the end. */
  private void streamError(int grpcCode, String message) {
    done = true;
    int http = GatewayErrors.httpStatus(grpcCode);
    writeHeadersIfNeeded(http);
    response.end(GatewayErrors.streamErrorChunk(grpcCode, message));
  }

  private void writeHeadersIfNeeded(int status) {
    if (response.headWritten()) {
      return;
    }
    response.setStatusCode(status).setChunked(true);
    response.headers()
        .set(GoHttp.CONTENT_TYPE, GoHttp.APPLICATION_JSON)
        .set(GRPC_METADATA_CONTENT_TYPE, APPLICATION_GRPC);
  }
}
