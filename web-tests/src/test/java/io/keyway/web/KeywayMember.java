package io.keyway.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** One Keyway member from the real jar on loopback ports, with a throw-away data dir. */
final class KeywayMember implements AutoCloseable {
  final int clientPort = LocalPorts.free();
  private final Path dataDir;
  private final ChildProcess process;

  KeywayMember(String... extraFlags) {
    String jar = System.getProperty("keyway.jar");
    if (jar == null || !Files.isRegularFile(Paths.get(jar))) {
      throw new IllegalStateException("keyway.jar " + jar + " missing: run through `mvn verify` after the gateway build");
    }
    try {
      dataDir = Files.createTempDirectory("keyway-web");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int peerPort = LocalPorts.free();
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar,
        "--name=web", "--data-dir=" + dataDir.resolve("web.etcd"),
        "--listen-client-urls=" + client, "--advertise-client-urls=" + client,
        "--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer, "--initial-cluster=web=" + peer));
    cmd.addAll(List.of(extraFlags));
    process = ChildProcess.start("keyway", cmd, dataDir).awaitListening(clientPort, Duration.ofSeconds(90));
  }

  String url() {
    return "http://127.0.0.1:" + clientPort;
  }

  String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp dir cleanup is best effort
    }
  }
}
