package io.keyway.gateway.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.WireFormat;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a request without throwing: Vert.x cancels the stream (no status) when a decoder throws, while
 * grpc-go answers Internal "grpc: error unmarshalling request: ...". A failure is handed to the call
 * handler as a {@link Failure} so it can answer like grpc-go.
 */
final class RequestDecoder implements GrpcMessageDecoder<Object> {
  /** A request that could not be decoded; {@code reason} is the text after grpc-go's prefix. */
  record Failure(String reason) {}

  private final Message prototype;

  RequestDecoder(Message prototype) {
    this.prototype = prototype;
  }

  @Override
  public Object decode(GrpcMessage msg) {
    try {
      if (msg.format() == WireFormat.JSON) {
        Message.Builder b = prototype.newBuilderForType();
        JsonFormat.parser().ignoringUnknownFields().merge(msg.payload().toString(StandardCharsets.UTF_8), b);
        return b.build();
      }
      return prototype.getParserForType().parseFrom(msg.payload().getBytes());
    } catch (InvalidProtocolBufferException e) {
      return new Failure("proto: cannot parse invalid wire-format data");
    }
  }

  @Override
  public boolean accepts(WireFormat format) {
    return true;
  }
}
