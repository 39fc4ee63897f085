package io.keyway.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to a cap. Past the cap the rest is drained and dropped, so the connection stays
 * usable and the caller can still answer with etcd's error instead of resetting the stream.
 *
 * @param bytes the body, or what fitted under the cap
 * @param length bytes received in total
 */
record RequestBody(Buffer bytes, long length, boolean truncated) {

  static Future<RequestBody> read(HttpServerRequest request, long cap) {
    Promise<RequestBody> promise = Promise.promise();
    Buffer buffer = Buffer.buffer();
    long[] received = {0};
    request.handler(chunk -> {
      received[0] += chunk.length();
      if (received[0] <= cap) {
        buffer.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> promise.tryComplete(new RequestBody(buffer, received[0], received[0] > cap)));
    request.resume();
    return promise.future();
  }
}
