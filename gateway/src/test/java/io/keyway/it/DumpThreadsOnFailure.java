package io.keyway.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test (or its set-up) fails, asks every server process still running for a thread dump before the
 * clean-up kills it: the JVM prints it to its stdout, which is the member's log. One-off stalls can then be
 * diagnosed from the logs. Registered for every test of this module by JUnit's extension auto-detection.
 */
public final class DumpThreadsOnFailure implements TestExecutionExceptionHandler,
    LifecycleMethodExecutionExceptionHandler {

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    ServerProcess.dumpThreadsOfRunning(context.getDisplayName() + " failed: " + failure);
    throw failure;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    ServerProcess.dumpThreadsOfRunning("set-up of " + context.getDisplayName() + " failed: " + failure);
    throw failure;
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    ServerProcess.dumpThreadsOfRunning("set-up of " + context.getDisplayName() + " failed: " + failure);
    throw failure;
  }
}
