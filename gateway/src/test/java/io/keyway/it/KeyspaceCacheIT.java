package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.keyway.client.cache.CacheEntry;
import io.keyway.client.cache.CacheOptions;
import io.keyway.client.cache.KeyspaceCache;
import io.keyway.client.cache.Values;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client library's {@link KeyspaceCache} against one Keyway member and against real etcd, same test: it is
 * opened (paged list) while several writers send random puts, deletes, prefix deletes and txns, and must end
 * equal to a fresh range, with callbacks that replay to the same map without a gap or a duplicate; then
 * read-your-writes through awaitRevision, and progress moving revision() while the prefix is idle.
 * Faults (killed members, compaction during a disconnect) are in {@link CacheClusterScenarios}.
 */
class KeyspaceCacheIT {
  private static final int WRITERS = 4;
  private static final int OPS_EACH = CacheWriters.writes(WRITERS * 500) / WRITERS;

  private static ServerPair servers;

  @BeforeAll
  static void start() {
    servers = ServerPair.start("cache");
  }

  @AfterAll
  static void stop() {
    ServerPair.close(servers);
  }

  private static String url(String target) {
    return "etcd".equals(target) ? servers.etcd.clientUrl() : servers.keyway.clientUrl();
  }

  @ParameterizedTest
  @ValueSource(strings = {"keyway", "etcd"})
  void followsConcurrentRandomWritersExactly(String target) throws Exception {
    String prefix = "kc/";
    try (Client client = Client.builder().endpoints(url(target)).build()) {
      KV kv = client.getKVClient();
      CacheWriters writers = new CacheWriters(kv, prefix, 300);
      writers.fill(300);
      CompletableFuture<Void> writing = writers.start(WRITERS, OPS_EACH, 16);
      // opened while the writers run: the list is paged (64 keys a page) and must still be one revision
      CacheOptions options = CacheOptions.defaults().withPageSize(64).withProgressInterval(Duration.ofMillis(500));
      try (KeyspaceCache cache = KeyspaceCache.open(client, Values.utf8(prefix), options).get(30, TimeUnit.SECONDS)) {
        CallbackReplay replay = new CallbackReplay();
        cache.addListener(replay);
        writing.get(CacheWriters.secondsFor(WRITERS * OPS_EACH, 120), TimeUnit.SECONDS);
        assertTrue(writers.acknowledged() > WRITERS * OPS_EACH * 9 / 10,
            () -> "too few acknowledged writes: " + writers.acknowledged() + ", failed " + writers.failed());
        CacheChecks.assertCacheMatchesServer(cache, replay, kv, prefix);

        // read-your-writes: once the cache reaches the put's revision it holds the value
        long put = kv.put(Values.utf8(prefix + "ryw"), Values.json(Map.of("n", 7))).get(10, TimeUnit.SECONDS)
            .getHeader().getRevision();
        cache.awaitRevision(put).get(10, TimeUnit.SECONDS);
        CacheEntry ryw = cache.get(prefix + "ryw");
        assertEquals(7, ryw.valueTree().path("n").asInt(), ryw::toString);
        assertEquals(put, ryw.modRevision());

        // a write outside the prefix produces no event; progress notifications still move revision()
        long outside = kv.put(Values.utf8("elsewhere"), Values.utf8("x")).get(10, TimeUnit.SECONDS)
            .getHeader().getRevision();
        assertTrue(cache.awaitRevision(outside).get(10, TimeUnit.SECONDS) >= outside);
        assertNull(cache.get("elsewhere"));
        assertEquals(0, replay.resets(), "no compaction happened, so no re-list");
      }
    }
  }
}
