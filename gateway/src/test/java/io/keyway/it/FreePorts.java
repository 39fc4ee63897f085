package io.keyway.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Hands out loopback ports that were free when asked and never hands out the same port twice in one JVM. */
final class FreePorts {

  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  static synchronized int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot probe for a free port", e);
      }
    }
    throw new IllegalStateException("no free loopback port found");
  }
}
