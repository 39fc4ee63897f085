package io.keyway.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real network partitions between the members of a {@link ProcessCluster} on Linux as root: each member runs in its
 * own network namespace ({@code ip netns exec}) with its own address on a bridge the test JVM also sits on, so every
 * member sees the same peer URLs and the clients reach every member. A partition is a blackhole route in the
 * namespaces on both sides: packets are dropped silently, as a cut cable would, also on open connections.
 *
 * <p>Needs root and iproute2 ({@code ip}); {@code -Djepsen.partitions=true} turns it on in LinearizabilityIT.
 */
final class NetnsNetwork implements AutoCloseable {
  private static final String BRIDGE = "kwjbr0";
  private static final String SUBNET = "10.240.24.";
  private static final String HOST_ADDRESS = SUBNET + "254";

  private final int size;
  /** blocked[i][j]: member i drops what it sends to j (indexes from 0). */
  private final boolean[][] blocked;

  private NetnsNetwork(int size) {
    this.size = size;
    this.blocked = new boolean[size][size];
  }

  /** Namespaces and a bridge for {@code size} members; leftovers of an earlier run are removed first. */
  static NetnsNetwork create(int size) {
    NetnsNetwork net = new NetnsNetwork(size);
    net.removeAll();
    try {
      run(true, "ip", "link", "add", BRIDGE, "type", "bridge");
      run(true, "ip", "addr", "add", HOST_ADDRESS + "/24", "dev", BRIDGE);
      run(true, "ip", "link", "set", BRIDGE, "up");
      for (int i = 0; i < size; i++) {
        String ns = namespace(i);
        run(true, "ip", "netns", "add", ns);
        run(true, "ip", "link", "add", hostSide(i), "type", "veth", "peer", "name", memberSide(i));
        run(true, "ip", "link", "set", memberSide(i), "netns", ns);
        run(true, "ip", "link", "set", hostSide(i), "master", BRIDGE);
        run(true, "ip", "link", "set", hostSide(i), "up");
        inNamespace(i, true, "ip", "addr", "add", net.address(i) + "/24", "dev", memberSide(i));
        inNamespace(i, true, "ip", "link", "set", memberSide(i), "up");
        inNamespace(i, true, "ip", "link", "set", "lo", "up");
      }
      return net;
    } catch (RuntimeException e) {
      net.removeAll();
      throw e;
    }
  }

  /** The address member {@code i} listens on. */
  String address(int i) {
    return SUBNET + (i + 1);
  }

  /** The command prefix that runs a program in member {@code i}'s namespace. */
  List<String> launchPrefix(int i) {
    return List.of("ip", "netns", "exec", namespace(i));
  }

  /** Nothing passes between member {@code i} and the others (clients still reach it). */
  synchronized void isolate(int i) {
    for (int j = 0; j < size; j++) {
      if (j != i) {
        cut(i, j);
      }
    }
  }

  /** Nothing passes between members {@code i} and {@code j}, in either direction. */
  synchronized void cut(int i, int j) {
    block(i, j);
    block(j, i);
  }

  /** Removes every partition. */
  synchronized void healAll() {
    for (int i = 0; i < size; i++) {
      for (int j = 0; j < size; j++) {
        if (blocked[i][j]) {
          inNamespace(i, false, "ip", "route", "del", "blackhole", address(j) + "/32");
          blocked[i][j] = false;
        }
      }
    }
  }

  private void block(int from, int to) {
    if (!blocked[from][to]) {
      inNamespace(from, true, "ip", "route", "add", "blackhole", address(to) + "/32");
      blocked[from][to] = true;
    }
  }

  @Override
  public synchronized void close() {
    removeAll();
  }

  private void removeAll() {
    for (int i = 0; i < size; i++) {
      run(false, "ip", "netns", "del", namespace(i));
      run(false, "ip", "link", "del", hostSide(i));
    }
    run(false, "ip", "link", "del", BRIDGE);
  }

  private static String namespace(int i) {
    return "kwj-n" + (i + 1);
  }

  private static String hostSide(int i) {
    return "kwj-h" + (i + 1);
  }

  private static String memberSide(int i) {
    return "kwj-m" + (i + 1);
  }

  private static void inNamespace(int i, boolean check, String... cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
    full.addAll(List.of(cmd));
    run(check, full.toArray(String[]::new));
  }

  private static void run(boolean check, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", cmd));
      }
      if (check && p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
            + new String(out, StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
