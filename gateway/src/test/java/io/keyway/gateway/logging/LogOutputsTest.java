package io.keyway.gateway.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogOutputsTest {
  private static Level effective(LoggerContext context, String logger) {
    return context.getLogger(logger).getEffectiveLevel();
  }

  @Test
  void librariesStayAtWarnUnlessDebugging() {
    LoggerContext context = new LoggerContext();
    LogOutputs.configure(context, "info", List.of("stderr"));
    assertEquals(Level.INFO, effective(context, "io.keyway.raft.KeywayNode"));
    assertEquals(Level.WARN, effective(context, "com.alipay.sofa.jraft.core.NodeImpl"));
    assertEquals(Level.ERROR, effective(context, LogOutputs.BOLT_FALLBACK), "Bolt's start-up notices");
    assertEquals(Level.ERROR, effective(context, LogOutputs.PROTOBUF_GENCODE), "JRaft's pre-22 gencode notices");

    LogOutputs.configure(context, "debug", List.of("stderr"));
    assertEquals(Level.DEBUG, effective(context, "io.keyway.raft.KeywayNode"));
    assertEquals(Level.INFO, effective(context, "com.alipay.sofa.jraft.core.NodeImpl"));
    assertEquals(Level.INFO, effective(context, Logger.ROOT_LOGGER_NAME));
    assertEquals(Level.INFO, effective(context, LogOutputs.BOLT_FALLBACK));
  }
}
