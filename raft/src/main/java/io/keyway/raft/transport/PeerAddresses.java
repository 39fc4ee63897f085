package io.keyway.raft.transport;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.Map;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.impl.RaftClientRpcWithProxy;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.apache.ratis.util.PeerProxyMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses this member's Raft transport connects to, and a way to move one. Ratis 3.2.2 cannot re-address
 * a peer: its proxy map keeps the first address it saw for an id forever ({@code computeIfAbsent}), and a
 * configuration that differs only in addresses is "no change" ({@code RaftConfigurationImpl.hasNoChange}
 * compares ids and priorities). So a member whose peer URLs were updated would never be reached at its new
 * address. This swaps the proxy map's entry for that id (reflection into the pinned Ratis version) and closes
 * the old connection; whoever used it fails, resets the proxy and reconnects to the new address.
 */
public final class PeerAddresses {
  private static final Logger LOG = LoggerFactory.getLogger(PeerAddresses.class);

  private PeerAddresses() {}

  /** The connections a Raft server keeps to its peers; null when its transport has none. */
  public static PeerProxyMap<?> of(RaftServer server) {
    return server.getServerRpc() instanceof RaftServerRpcWithProxy<?, ?> rpc ? rpc.getProxies() : null;
  }

  /** The connections a Raft client keeps to the servers; null when its transport has none. */
  public static PeerProxyMap<?> of(RaftClient client) {
    return client.getClientRpc() instanceof RaftClientRpcWithProxy<?> rpc ? rpc.getProxies() : null;
  }

  /** The address {@code proxies} uses for {@code id}; null when it has no entry for it. */
  public static String current(PeerProxyMap<?> proxies, RaftPeerId id) {
    Object entry = proxies == null ? null : peers(proxies).get(id);
    return entry == null ? null : peerOf(entry).getAddress();
  }

  /**
   * Points the connection of {@code proxies} to {@code id} at {@code address}; does nothing when there is no
   * entry for {@code id} or it already uses that address.
   *
   * @return whether the connection moved
   */
  public static boolean move(PeerProxyMap<?> proxies, RaftPeerId id, String address) {
    if (proxies == null) {
      return false;
    }
    Map<RaftPeerId, Object> peers = peers(proxies);
    Object old;
    synchronized (field(PeerProxyMap.class, "resetLock", proxies)) { // as resetProxy swaps entries
      old = peers.get(id);
      if (old == null || address.equals(peerOf(old).getAddress())) {
        return false;
      }
      peers.remove(id);
      // Ratis adds peers (addRaftPeers) without this lock: if the old address came back in between, the next
      // round moves it again
      proxies.computeIfAbsent(RaftPeer.newBuilder(peerOf(old)).setAddress(address).build());
    }
    Object proxy = field(old.getClass(), "proxy", old);
    if (proxy instanceof Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("closing the old connection to {} failed", id, e);
      }
    }
    return address.equals(current(proxies, id));
  }

  @SuppressWarnings("unchecked")
  private static Map<RaftPeerId, Object> peers(PeerProxyMap<?> proxies) {
    return (Map<RaftPeerId, Object>) field(PeerProxyMap.class, "peers", proxies);
  }

  private static RaftPeer peerOf(Object entry) {
    return (RaftPeer) field(entry.getClass(), "peer", entry);
  }

  private static Object field(Class<?> type, String name, Object target) {
    try {
      Field f = type.getDeclaredField(name);
      f.setAccessible(true);
      return f.get(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Ratis' PeerProxyMap changed: no field " + name, e);
    }
  }
}
