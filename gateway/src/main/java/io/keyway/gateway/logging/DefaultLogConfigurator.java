package io.keyway.gateway.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * Logback's configuration before (or without) the command line: etcd's defaults, JSON lines on stderr at info.
 * Registered as a service so the jar needs no logback.xml; {@link LogOutputs#apply} replaces it at start.
 */
public final class DefaultLogConfigurator extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    LogOutputs.configure(context, "info", List.of("stderr"));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
