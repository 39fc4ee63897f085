package io.keyway.gateway.watch;

import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.gateway.json.GoJsonReader;
import io.keyway.gateway.json.JsonCodec;
import io.keyway.gateway.json.JsonDecodeException;
import io.keyway.gateway.json.JsonValue;
import java.util.Arrays;

/**
 * A request body read as grpc-gateway reads a streaming route's body: concatenated JSON
 * {@code WatchRequest}s (whitespace between them optional), each decoded with the gateway's JSON rules as soon
 * as its last byte has arrived, while the body is still open.
 *
 * <p>Re-parsing what is pending after every chunk would cost quadratic time for one huge value, so a partial
 * value larger than {@link #EAGER_BYTES} is only re-tried when a chunk brings a closing bracket (a request is
 * a JSON object, so it can only end with one) or the body ends. A pending value that grows past the limit
 * without completing is refused.
 */
final class JsonWatchRequests {
  /** Up to this many pending bytes, every chunk is tried at once (and errors surface at once, as in Go). */
  static final int EAGER_BYTES = 64 * 1024;

  /** A request, or a partial one, larger than the gRPC receive limit. */
  static final class TooLarge extends RuntimeException {
    final long size;

    TooLarge(long size) {
      super(null, null, false, false);
      this.size = size;
    }
  }

  private final long maxRequestBytes;
  private final long maxPendingBytes;
  private byte[] data = new byte[0];
  private int length;
  private boolean ended;
  private boolean closerSeen;

  /** @param maxRequestBytes the gRPC receive limit a decoded request must fit in */
  JsonWatchRequests(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
    // base64 inflates bytes by 4/3 and JSON adds quoting; beyond 4x no value can decode under the limit
    this.maxPendingBytes = 4 * maxRequestBytes;
  }

  void append(byte[] chunk) {
    if (length + chunk.length > data.length) {
      data = Arrays.copyOf(data, Math.max(length + chunk.length, Math.max(256, data.length * 2)));
    }
    System.arraycopy(chunk, 0, data, length, chunk.length);
    length += chunk.length;
    for (byte b : chunk) {
      if (b == '}' || b == ']') {
        closerSeen = true;
        break;
      }
    }
  }

  void end() {
    ended = true;
  }

  /** The body ended and every request in it was taken. */
  boolean exhausted() {
    return ended && length == 0;
  }

  /**
   * The next complete request, or null when more bytes are needed (or none are left).
   *
   * @throws JsonDecodeException with Go's message when the next value is not a valid WatchRequest
   * @throws TooLarge when the next request cannot fit the gRPC receive limit
   */
  WatchRequest next() {
    if (length == 0) {
      return null;
    }
    if (!ended && length > EAGER_BYTES && !closerSeen) {
      return checkPending();
    }
    byte[] pending = length == data.length ? data : Arrays.copyOf(data, length);
    GoJsonReader.Next next;
    try {
      next = GoJsonReader.decodeNext(pending, 0);
    } catch (JsonDecodeException e) {
      if (!ended && "unexpected EOF".equals(e.getMessage())) {
        closerSeen = false;
        return checkPending(); // the value is still arriving
      }
      throw e;
    }
    JsonValue value = next.value();
    if (value == null) {
      length = 0; // whitespace only
      return null;
    }
    if (value instanceof JsonValue.Num && next.end() == length && !ended) {
      return null; // a number at the end of what arrived may go on (Go's decoder waits too)
    }
    consume(next.end());
    WatchRequest request = JsonCodec.merge(value, WatchRequest.newBuilder()).build();
    int size = request.getSerializedSize();
    if (size > maxRequestBytes) {
      throw new TooLarge(size);
    }
    return request;
  }

  private WatchRequest checkPending() {
    if (length > maxPendingBytes) {
      throw new TooLarge(length);
    }
    return null;
  }

  private void consume(int bytes) {
    System.arraycopy(data, bytes, data, 0, length - bytes);
    length -= bytes;
    closerSeen = false;
    for (int i = 0; i < length && !closerSeen; i++) {
      closerSeen = data[i] == '}' || data[i] == ']';
    }
  }
}
