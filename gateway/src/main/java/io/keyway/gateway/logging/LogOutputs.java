package io.keyway.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Points logging where etcd's {@code --log-outputs} says ({@code default}/{@code stderr}, {@code stdout}, or file
 * paths, several at once) at {@code --log-level} for Keyway's own loggers; its libraries (Vert.x, Netty,
 * JRaft, Bolt, RocksDB) log only warnings and errors. java.util.logging goes the same way, so
 * every line on an output is one JSON object.
 */
public final class LogOutputs {
  private static final String KEYWAY = "io.keyway";
  /** The logger Bolt (JRaft's transport) writes to when sofa-common-tools' log spaces are off. */
  static final String BOLT_FALLBACK = "com.alipay.sofa.common.log";
  static final String PROTOBUF_GENCODE = "com.google.protobuf.GeneratedMessage";

  private LogOutputs() {}

  /**
   * @param level etcd's level name: debug, info, warn, error, panic or fatal
   * @param outputs etcd's output names or file paths
   */
  public static void apply(String level, List<String> outputs) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    configure(context, level, outputs);
  }

  static void configure(LoggerContext context, String level, List<String> outputs) {
    context.reset();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    // libraries (JRaft, Bolt, Netty, Vert.x) speak at WARN; at debug they also say INFO, which is where JRaft
    // explains elections and refused appends
    Level keyway = keywayLevel(level);
    root.setLevel(keyway == Level.DEBUG ? Level.INFO : Level.WARN);
    context.getLogger(KEYWAY).setLevel(keyway);
    quietLibraryChatter(context, keyway);
    for (String output : outputs) {
      root.addAppender(appender(context, output));
    }
    bridgeJavaUtilLogging();
  }

  /**
   * Bolt announces every listener and client it starts at WARN, through sofa-common-tools' fallback logger
   * (its own logback set-up does not run on this logback version and would print a stack trace, so it is turned
   * off); protobuf warns once per JRaft message type that JRaft's pre-22 generated code is in use (its RPCs are
   * between members only). Neither says anything an operator can act on, so they speak at ERROR only.
   */
  private static void quietLibraryChatter(LoggerContext context, Level keyway) {
    System.setProperty("sofa.middleware.log.disable", "true");
    System.setProperty("sofa.middleware.log.internal.level", "ERROR");
    if (keyway != Level.DEBUG) {
      context.getLogger(BOLT_FALLBACK).setLevel(Level.ERROR);
    }
    context.getLogger(PROTOBUF_GENCODE).setLevel(Level.ERROR);
  }

  private static Level keywayLevel(String etcdLevel) {
    return switch (etcdLevel) {
      case "debug" -> Level.DEBUG;
      case "warn" -> Level.WARN;
      case "error", "panic", "fatal" -> Level.ERROR;
      default -> Level.INFO;
    };
  }

  private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext context, String output) {
    ZapJsonEncoder encoder = new ZapJsonEncoder();
    encoder.setContext(context);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender;
    switch (output) {
      case "default", "stderr" -> {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setTarget("System.err");
        appender = console;
      }
      case "stdout" -> {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setTarget("System.out");
        appender = console;
      }
      default -> {
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setFile(output);
        file.setAppend(true);
        appender = file;
      }
    }
    appender.setName(output);
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }

  private static void bridgeJavaUtilLogging() {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
  }
}
