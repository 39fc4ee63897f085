package io.keyway.gateway.metrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process' open gateway WebSockets (keyway_websocket_connections). A process-wide count, since the
 * sockets' shared framing class is created far from the server's wiring; one server runs per process.
 */
public final class OpenWebSockets {
  private static final AtomicInteger OPEN = new AtomicInteger();

  private OpenWebSockets() {}

  public static void opened() {
    OPEN.incrementAndGet();
  }

  public static void closed() {
    OPEN.decrementAndGet();
  }

  static int current() {
    return OPEN.get();
  }
}
