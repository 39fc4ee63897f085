package io.keyway.openapi;

import com.google.protobuf.Descriptors.MethodDescriptor;

/**
 * One POST route of the HTTP/JSON API and the RPC behind it. Streaming RPCs are served as chunked responses
 * of {@code {"result":…}} lines; the bidirectional ones also over WebSocket on the same path.
 */
record HttpRoute(String path, MethodDescriptor method, String tag) {

  boolean serverStreams() {
    return method.isServerStreaming();
  }

  boolean clientStreams() {
    return method.isClientStreaming();
  }
}
