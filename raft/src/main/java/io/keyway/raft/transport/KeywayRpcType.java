package io.keyway.raft.transport;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * Ratis' gRPC transport with Keyway's log appender. Ratis instantiates it by class name from
 * {@code raft.rpc.type}, hence the public no-argument constructor.
 */
public final class KeywayRpcType implements RpcType {
  public KeywayRpcType() {}

  @Override
  public String name() {
    return KeywayRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new KeywayGrpcFactory(parameters);
  }
}
