package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A leader frozen (SIGSTOP) past the election timeout is deposed while it sleeps; reads that clients sent it
 * meanwhile are served when it wakes up, before it hears of the new term. Those linearizable reads must not
 * return the value it knew (a write acknowledged by the new leader completed before they were sent). Ratis
 * 3.2.2 answered a ReadIndex at a commit index it had confirmed earlier, without a new heartbeat round; JRaft's
 * ReadOnlySafe confirms the leadership with a heartbeat round for every ReadIndex.
 */
class DeposedLeaderReadIT {

  private ProcessCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void wokenDeposedLeaderServesNoStaleLinearizableRead() throws Exception {
    cluster = ProcessCluster.start("dl", 3);
    for (int round = 0; round < 3; round++) {
      ServerProcess leader = cluster.awaitLeader(cluster.members(), 180_000);
      List<ServerProcess> others = new ArrayList<>(cluster.members());
      others.remove(leader);
      String old = "old" + round;
      put(leader, old);
      ServerProcess.sleep(500); // let the commit index settle
      for (int i = 0; i < 3; i++) {
        read(leader); // the leader confirms its leadership at this commit index
      }

      leader.freeze();
      try {
        cluster.awaitLeader(others, 180_000);
        String fresh = "new" + round;
        put(others.get(0), fresh); // acknowledged before the reads below are sent
        List<CompletableFuture<String>> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          reads.add(CompletableFuture.supplyAsync(() -> read(leader)));
        }
        ServerProcess.sleep(500); // the requests wait in the frozen leader's socket
        leader.thaw();
        for (CompletableFuture<String> r : reads) {
          String seen = r.get(60, TimeUnit.SECONDS);
          assertNotEquals(old, seen, "a deposed leader served a stale linearizable read (round " + round + ")");
        }
      } finally {
        leader.thaw();
      }
    }
  }

  private static void put(ServerProcess m, String value) {
    m.http().ok("/v3/kv/put", obj("key", b64("dl/k"), "value", b64(value)));
  }

  /** The value a linearizable read returns, or the error it got. */
  private static String read(ServerProcess m) {
    HttpResult r = m.http().post("/v3/kv/range", obj("key", b64("dl/k")));
    if (r.status() != 200) {
      return "error " + r.status();
    }
    JsonNode kvs = r.json().path("kvs");
    return kvs.isEmpty() ? null : Json.unb64(kvs.get(0).path("value").asText());
  }
}
