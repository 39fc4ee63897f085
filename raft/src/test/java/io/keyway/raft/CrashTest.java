package io.keyway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.mvccpb.KeyValue;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the only member while it acknowledges writes: every acknowledged write survives. */
class CrashTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
    int port = TestNodes.freePort();
    Map<String, Long> acked = new HashMap<>();
    for (int round = 0; round < 2; round++) {
      acked.putAll(runAndKill(port, 400 + round * 300, "crash/" + round + "/"));
      // restart in this JVM and check, then leave the data dir for the next crash round
      restartAndVerify(port, acked);
    }
  }

  /**
   * The store's RocksDB writes are not fsynced: after a machine crash it may come back with only a prefix of
   * them, or none. Acknowledged writes must then come back from the fsynced Raft log alone (snapshot plus the
   * entries after it). Deleting the store after a kill -9 is the extreme case of that prefix.
   */
  @Test
  void acknowledgedWritesComeBackFromTheRaftLogWhenTheStoreLostItsWrites() throws Exception {
    int port = TestNodes.freePort();
    Map<String, Long> acked = new HashMap<>();
    for (int round = 0; round < 2; round++) {
      acked.putAll(runAndKill(port, 300 + round * 300, "crash/" + round + "/"));
      deleteRecursively(TestNodes.single(dir, port).build().storeDir());
      restartAndVerify(port, acked);
    }
  }

  private void restartAndVerify(int port, Map<String, Long> acked) throws Exception {
    try (KeywayNode node = KeywayNode.start(TestNodes.single(dir, port).snapshotCount(200).build())) {
      assertTrue(node.awaitLeader(Duration.ofSeconds(20)));
      RangeResponse all = node.range(TestNodes.prefix("crash/", false)).get(30, TimeUnit.SECONDS);
      Map<String, KeyValue> present = new HashMap<>();
      all.getKvsList().forEach(kv -> present.put(kv.getKey().toStringUtf8(), kv));
      Set<Long> revisions = new HashSet<>();
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        KeyValue kv = present.get(e.getKey());
        assertTrue(kv != null, "acknowledged key lost: " + e.getKey());
        assertEquals("value-" + e.getKey(), kv.getValue().toStringUtf8());
        assertEquals((long) e.getValue(), kv.getModRevision(), "revision of " + e.getKey());
        assertTrue(revisions.add(e.getValue()), "two acks with one revision");
      }
      // unacknowledged writes may or may not have made it, but revisions stay dense
      assertEquals(all.getCount() + 1, node.revision());
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private Map<String, Long> runAndKill(int port, int killAfterAcks, String keyPrefix) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", classpath, CrashWriter.class.getName(), dir.toString(), Integer.toString(port), "8", keyPrefix);
    pb.redirectError(new File(dir.toFile(), "child-stderr-" + System.nanoTime() + ".log"));
    Process child = pb.start();
    Map<String, Long> acked = new HashMap<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean ready = false;
      while ((line = out.readLine()) != null) {
        if (line.equals("READY")) {
          ready = true;
        } else if (line.startsWith("ACK ")) {
          String[] parts = line.split(" ");
          acked.put(parts[1], Long.parseLong(parts[2]));
          if (acked.size() >= killAfterAcks) {
            child.destroyForcibly();
            break;
          }
        }
      }
      // destroyForcibly closes our end of the pipe: acks the child printed after this one are not checked
      assertTrue(ready, "child started");
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(acked.size() >= killAfterAcks, "acks: " + acked.size());
    return acked;
  }
}
