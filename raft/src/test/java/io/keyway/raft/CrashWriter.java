package io.keyway.raft;

import io.keyway.api.etcdserverpb.PutResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Child process of {@link CrashTest}: runs a member and writes keys from several threads forever, printing
 * "ACK key revision" for each acknowledged put, until it is killed.
 */
public final class CrashWriter {
  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    String prefix = args[3];
    KeywayNode node = KeywayNode.start(TestNodes.single(dataDir, port).snapshotCount(200).build());
    if (!node.awaitLeader(Duration.ofSeconds(20))) {
      System.out.println("NO LEADER");
      System.exit(2);
    }
    System.out.println("READY");
    System.out.flush();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      pool.execute(() -> {
        for (int i = 0; ; i++) {
          String key = prefix + thread + "/" + i;
          try {
            PutResponse r = node.put(TestNodes.put(key, "value-" + key)).get(30, TimeUnit.SECONDS);
            synchronized (System.out) {
              System.out.println("ACK " + key + " " + r.getHeader().getRevision());
              System.out.flush();
            }
          } catch (Exception e) {
            synchronized (System.out) {
              System.out.println("ERR " + key + " " + e);
              System.out.flush();
            }
          }
        }
      });
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
