package io.keyway.raft.transport;

import com.alipay.remoting.DefaultCustomSerializer;
import com.alipay.remoting.InvokeContext;
import com.alipay.remoting.exception.DeserializationException;
import com.alipay.remoting.rpc.RequestCommand;
import com.alipay.remoting.rpc.ResponseCommand;
import com.alipay.remoting.rpc.protocol.RpcRequestCommand;
import com.alipay.remoting.rpc.protocol.RpcResponseCommand;
import com.google.protobuf.BytesValue;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Bolt's (de)serialiser of {@link PeerRpc}'s messages: JRaft's own protobuf serialiser only knows JRaft's
 * messages, and Bolt's default (Hessian) is not what a protobuf message should travel as.
 */
final class BytesValueSerializer extends DefaultCustomSerializer {
  static final BytesValueSerializer INSTANCE = new BytesValueSerializer();

  @Override
  public <T extends RequestCommand> boolean serializeContent(T request, InvokeContext ctx) {
    RpcRequestCommand cmd = (RpcRequestCommand) request;
    cmd.setContent(((BytesValue) cmd.getRequestObject()).toByteArray());
    return true;
  }

  @Override
  public <T extends ResponseCommand> boolean serializeContent(T response) {
    RpcResponseCommand cmd = (RpcResponseCommand) response;
    cmd.setContent(((BytesValue) cmd.getResponseObject()).toByteArray());
    return true;
  }

  @Override
  public <T extends RequestCommand> boolean deserializeContent(T request) throws DeserializationException {
    RpcRequestCommand cmd = (RpcRequestCommand) request;
    cmd.setRequestObject(parse(cmd.getContent()));
    return true;
  }

  @Override
  public <T extends ResponseCommand> boolean deserializeContent(T response, InvokeContext ctx)
      throws DeserializationException {
    RpcResponseCommand cmd = (RpcResponseCommand) response;
    cmd.setResponseObject(parse(cmd.getContent()));
    return true;
  }

  private static BytesValue parse(byte[] content) throws DeserializationException {
    try {
      return BytesValue.parseFrom(content == null ? new byte[0] : content);
    } catch (InvalidProtocolBufferException e) {
      throw new DeserializationException("undecodable peer call: " + e.getMessage());
    }
  }
}
