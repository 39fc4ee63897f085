package io.keyway.raft;

import static io.keyway.raft.TestNodes.prefix;
import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.raft.storage.StoreDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {
  @TempDir Path dir;

  NodeConfig config(int port) {
    return TestNodes.single(dir, port)
        .snapshotCount(50)
        .build();
  }

  Path snapshotDir() {
    return dir.resolve("member/raft/snapshot");
  }

  List<String> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void snapshotsPurgeTheLogAndSurviveRestarts() throws Exception {
    int port = TestNodes.freePort();
    String value = "v".repeat(200);
    long revision;
    try (KeywayNode node = KeywayNode.start(config(port))) {
      assertTrue(node.awaitLeader(Duration.ofSeconds(10)));
      for (int i = 0; i < 400; i++) {
        node.put(put(String.format("s/%04d", i), value + i)).get(20, TimeUnit.SECONDS);
      }
      revision = node.revision();
      // (a checkpoint may be in progress under a temporary name)
      List<String> snapshots = list(snapshotDir()).stream().filter(s -> s.startsWith("snapshot_")).toList();
      assertFalse(snapshots.isEmpty(), "auto snapshots were taken");
      assertTrue(snapshots.size() <= 2, "old snapshots are cleaned up: " + snapshots);
      assertThrows(com.alipay.sofa.jraft.error.LogNotFoundException.class,
          () -> node.raftNode().readCommittedUserLog(1), "the log before the snapshot is purged");
    }
    assertEquals(401, revision);

    try (KeywayNode node = KeywayNode.start(config(port))) {
      assertTrue(node.awaitLeader(Duration.ofSeconds(10)));
      assertEquals(revision, node.revision());
      assertAll400(node, value);
    }

    // a lost store is rebuilt from the latest snapshot plus the log after it
    StoreDirs.deleteRecursively(dir.resolve("member/store"));
    try (KeywayNode node = KeywayNode.start(config(port))) {
      assertTrue(node.awaitLeader(Duration.ofSeconds(10)));
      assertAll400(node, value);
      assertEquals(revision, node.revision());
      assertEquals(revision + 1, node.put(put("s/after", "x")).get(20, TimeUnit.SECONDS).getHeader().getRevision());
    }
  }

  private static void assertAll400(KeywayNode node, String value) throws Exception {
    RangeResponse all = node.range(prefix("s/", false)).get(20, TimeUnit.SECONDS);
    assertEquals(400, all.getCount());
    for (int i = 0; i < 400; i++) {
      assertEquals(String.format("s/%04d", i), all.getKvs(i).getKey().toStringUtf8());
      assertEquals(value + i, all.getKvs(i).getValue().toStringUtf8());
      assertEquals(i + 2, all.getKvs(i).getModRevision());
    }
  }
}
