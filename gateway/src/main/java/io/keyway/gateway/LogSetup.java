package io.keyway.gateway;

/**
 * Applies {@code --log-level} to slf4j-simple (Keyway's own loggers; Vert.x, Netty and Ratis stay at WARN,
 * see simplelogger.properties) and quiets java.util.logging, which Ratis' shaded gRPC uses. Must run before
 * the first logger is created: slf4j-simple reads its settings once.
 */
final class LogSetup {
  private LogSetup() {}

  static void apply(String etcdLevel) {
    String level = switch (etcdLevel) {
      case "debug" -> "debug";
      case "warn" -> "warn";
      case "error", "panic", "fatal" -> "error";
      default -> "info";
    };
    System.setProperty("org.slf4j.simpleLogger.log.io.keyway", level);
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.setLevel(java.util.logging.Level.WARNING);
    for (java.util.logging.Handler h : root.getHandlers()) {
      h.setLevel(java.util.logging.Level.WARNING);
    }
  }
}
