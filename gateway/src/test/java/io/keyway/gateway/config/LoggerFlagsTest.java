package io.keyway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --logger, --log-outputs and --listen-metrics-urls as etcd 3.5 takes them. */
class LoggerFlagsTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Cli.Outcome parse(String... args) {
    return Cli.parse(args, Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private ServerConfig run(String... args) {
    return assertInstanceOf(Cli.Outcome.Run.class, parse(args), () -> "stderr: " + err).config();
  }

  @Test
  void zapToStderrByDefault() {
    ServerConfig c = run();
    assertEquals(List.of("default"), c.logOutputs());
    assertEquals(List.of(), c.listenMetricsUrls());
  }

  @Test
  void outputsAreAList() {
    assertEquals(List.of("stdout", "/tmp/k.log"), run("--log-outputs", "stdout,/tmp/k.log").logOutputs());
  }

  @Test
  void onlyZapIsALogger() {
    assertEquals(1, assertInstanceOf(Cli.Outcome.Exit.class, parse("--logger", "capnslog")).code());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--logger=capnslog is removed in v3.5"));
    assertEquals(1, assertInstanceOf(Cli.Outcome.Exit.class, parse("--logger", "json")).code());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown logger option \"json\""));
  }

  @Test
  void metricsUrls() {
    assertEquals(List.of(URI.create("http://127.0.0.1:2381")),
        run("--listen-metrics-urls", "http://127.0.0.1:2381").listenMetricsUrls());
  }
}
