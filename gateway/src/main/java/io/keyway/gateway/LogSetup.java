package io.keyway.gateway;

import io.keyway.gateway.config.ServerConfig;
import io.keyway.gateway.logging.LogOutputs;

/**
 * Applies {@code --logger}, {@code --log-outputs} and {@code --log-level} (Keyway's own loggers; Vert.x, Netty,
 * SOFAJRaft and Bolt stay at WARN or above). Runs before the server logs anything.
 */
final class LogSetup {
  private LogSetup() {}

  static void apply(ServerConfig config) {
    LogOutputs.apply(config.logLevel(), config.logOutputs());
  }
}
