package io.keyway.raft;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers: ports, configs, request shorthands. */
final class TestNodes {
  private TestNodes() {}

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Distinct ports: all sockets stay open until every port is chosen. */
  static int[] freePorts(int n) {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          if (s != null) {
            s.close();
          }
        } catch (IOException ignored) {
          // the port is released either way
        }
      }
    }
  }

  static String peerUrl(int port) {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Member {@code i} of a cluster of {@code ports.length} in-process members named n0, n1, ... (1 s election
   * timeout), data under {@code dir}/n{@code i}.
   */
  static NodeConfig.Builder member(Path dir, int[] ports, int i, String token) {
    List<String> members = new ArrayList<>();
    for (int j = 0; j < ports.length; j++) {
      members.add("n" + j + "=" + peerUrl(ports[j]));
    }
    return NodeConfig.builder()
        .name("n" + i)
        .dataDir(dir.resolve("n" + i))
        .listenPeerUrls(List.of(peerUrl(ports[i])))
        .initialAdvertisePeerUrls(List.of(peerUrl(ports[i])))
        .initialCluster(String.join(",", members))
        .initialClusterToken(token)
        .electionTimeoutMs(1000);
  }

  static NodeConfig.Builder single(Path dataDir, int port) {
    return NodeConfig.builder()
        .name("n1")
        .dataDir(dataDir)
        .listenPeerUrls(List.of(peerUrl(port)))
        .initialAdvertisePeerUrls(List.of(peerUrl(port)))
        .initialClusterToken("keyway-test");
  }

  static ByteString bs(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build();
  }

  static RangeRequest get(String key) {
    return RangeRequest.newBuilder().setKey(bs(key)).build();
  }

  static RangeRequest getSerializable(String key) {
    return RangeRequest.newBuilder().setKey(bs(key)).setSerializable(true).build();
  }

  static RangeRequest prefix(String prefix, boolean serializable) {
    byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
    end[end.length - 1]++;
    return RangeRequest.newBuilder().setKey(bs(prefix)).setRangeEnd(ByteString.copyFrom(end))
        .setSerializable(serializable).build();
  }
}
