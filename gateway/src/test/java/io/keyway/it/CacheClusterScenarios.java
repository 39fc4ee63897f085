package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.keyway.client.cache.CacheOptions;
import io.keyway.client.cache.KeyspaceCache;
import io.keyway.client.cache.Values;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link KeyspaceCache} against a 3-member cluster with faults: members killed and restarted under random
 * writes, and a compaction while the member holding the cache's watch is frozen, which the cache must bridge
 * with a re-list delivered as ordinary callbacks. Each ends with the cache, a fresh range and the replayed
 * callbacks equal. {@link KeyspaceCacheClusterIT} runs them on Keyway, {@link KeyspaceCacheEtcdClusterIT} on
 * etcd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CacheClusterScenarios {
  private static final String WATCHERS_METRIC = "etcd_debugging_mvcc_watcher_total";

  private ProcessCluster cluster;

  abstract ProcessCluster startCluster();

  @BeforeAll
  void start() {
    cluster = startCluster();
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Quick failure detection, so the faults below fit in seconds. */
  private static CacheOptions options(Duration stall) {
    return CacheOptions.defaults().withPageSize(50).withProgressInterval(Duration.ofMillis(300))
        .withStallTimeout(stall).withRequestTimeout(Duration.ofSeconds(3))
        .withBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  private static Client client(List<ServerProcess> members) {
    return Client.builder().endpoints(members.stream().map(ServerProcess::clientUrl).toArray(String[]::new))
        .build();
  }

  /**
   * Kills (kill -9) the member serving the cache's watch, then the leader, each restarted before the next, while
   * writers run: the watch resumes on another member after the last applied revision.
   */
  @Test
  @Order(1)
  void followsWritersWhileMembersAreKilledAndRestarted() throws Exception {
    String prefix = "kk/";
    List<ServerProcess> all = cluster.members();
    Map<ServerProcess, Double> before = watcherCounts(all);
    try (Client client = client(all)) {
      KV kv = client.getKVClient();
      CacheWriters writers = new CacheWriters(kv, prefix, 200);
      writers.fill(200);
      try (KeyspaceCache cache = KeyspaceCache.open(client, Values.utf8(prefix), options(Duration.ofSeconds(5)))
          .get(60, TimeUnit.SECONDS)) {
        CallbackReplay replay = new CallbackReplay();
        cache.addListener(replay);
        ServerProcess watching = memberWithNewWatcher(all, before);
        int opsEach = CacheWriters.writes(900) / 3;
        CompletableFuture<Void> writing = writers.start(3, opsEach, 7);
        Thread.sleep(500);
        watching.kill();
        Thread.sleep(1000);
        watching.start();
        ServerProcess leader = cluster.awaitLeader(all, 60_000);
        ServerProcess second = leader != watching ? leader
            : all.stream().filter(m -> m != watching).findFirst().orElseThrow();
        second.kill();
        Thread.sleep(1000);
        second.start();
        writing.get(CacheWriters.secondsFor(3 * opsEach, 120), TimeUnit.SECONDS);
        assertTrue(writers.acknowledged() > 3 * opsEach / 2,
            () -> "too few acknowledged writes: " + writers.acknowledged() + ", failed " + writers.failed());
        CacheChecks.assertCacheMatchesServer(cache, replay, kv, prefix);
      }
    }
  }

  /**
   * The member serving the cache's watch is frozen (SIGSTOP) while the others take writes and a compaction past
   * the cache's revision, then dies (SIGKILL): the watch resumes on a live member, finds its history compacted,
   * and the cache lists again, delivering the difference as puts and deletes and then onReset. The stall
   * timeout is longer than the test, so only the broken connection moves the watch.
   */
  @Test
  @Order(2)
  void compactionWhileTheCachesMemberIsFrozenIsBridgedByAReList() throws Exception {
    String prefix = "kx/";
    List<ServerProcess> all = cluster.members();
    Map<ServerProcess, Double> before = watcherCounts(all);
    try (Client client = client(all);
         KeyspaceCache cache = KeyspaceCache.open(client, Values.utf8(prefix), options(Duration.ofMinutes(5)))
             .get(60, TimeUnit.SECONDS)) {
      CallbackReplay replay = new CallbackReplay();
      cache.addListener(replay);
      ServerProcess watching = memberWithNewWatcher(all, before);
      List<ServerProcess> others = all.stream().filter(m -> m != watching).toList();
      try (Client writerClient = client(others)) {
        KV kv = writerClient.getKVClient();
        CacheWriters writers = new CacheWriters(kv, prefix, 40);
        writers.fill(40);
        cache.awaitRevision(writers.lastRevision()).get(30, TimeUnit.SECONDS);
        long cached = cache.revision();

        watching.freeze();
        cluster.awaitLeader(others, 60_000);
        writers.start(2, 40, 11).get(60, TimeUnit.SECONDS);
        long compactAt = writers.lastRevision();
        kv.compact(compactAt).get(30, TimeUnit.SECONDS);
        // wherever the watch resumes, the history it needs must be gone: the compaction is applied everywhere
        awaitCompacted(others, prefix, compactAt);
        assertEquals(cached, cache.revision(), "the frozen member's watch cannot have delivered anything");
        watching.kill();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replay.resets() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        if (replay.resets() == 0) {
          fail("no re-list after the compaction at " + compactAt + "; cache at " + cache.revision() + ", " + replay);
        }
        writers.start(2, 30, 12).get(60, TimeUnit.SECONDS);
        CacheChecks.assertCacheMatchesServer(cache, replay, kv, prefix);
      }
    }
  }

  /** Waits until a serializable read below {@code compactAt} fails as compacted on each of {@code members}. */
  private static void awaitCompacted(List<ServerProcess> members, String key, long compactAt)
      throws InterruptedException {
    for (ServerProcess m : members) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      HttpResult read;
      do {
        read = m.http().post("/v3/kv/range", Json.obj("key", Json.b64(key), "revision",
            Long.toString(compactAt - 1), "serializable", true));
        if (read.status() != 200 && read.body().contains("compacted")) {
          break;
        }
        Thread.sleep(50);
      } while (System.nanoTime() < deadline);
      assertTrue(read.status() != 200 && read.body().contains("compacted"),
          m + " has not applied the compaction at " + compactAt + ": " + read);
    }
  }

  private Map<ServerProcess, Double> watcherCounts(List<ServerProcess> members) {
    Map<ServerProcess, Double> counts = new HashMap<>();
    for (ServerProcess m : members) {
      HttpResult metrics = m.http().get("/metrics");
      counts.put(m, PrometheusText.parse(metrics.body()).samples.stream()
          .filter(s -> s.name().equals(WATCHERS_METRIC)).mapToDouble(PrometheusText.Sample::value).sum());
    }
    return counts;
  }

  /** The member that gained a watcher since {@code before}: the one the cache's watch stream went to. */
  private ServerProcess memberWithNewWatcher(List<ServerProcess> members, Map<ServerProcess, Double> before)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Map<ServerProcess, Double> now = before;
    while (System.nanoTime() < deadline) {
      now = watcherCounts(members);
      for (ServerProcess m : members) {
        if (now.get(m) > before.get(m)) {
          return m;
        }
      }
      Thread.sleep(100);
    }
    fail("no member gained a watcher: before " + before + ", now " + now);
    return null;
  }
}
