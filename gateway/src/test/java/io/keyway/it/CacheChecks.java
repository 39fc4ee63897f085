package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.keyway.client.cache.CacheEntry;
import io.keyway.client.cache.KeyspaceCache;
import io.keyway.client.cache.Values;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The end-of-test check of the cache ITs: cache, fresh range and replayed callbacks agree exactly. */
final class CacheChecks {

  private CacheChecks() {}

  /**
   * Lists the prefix (linearizable), waits until the cache has reached that revision, then requires the cache's
   * entries and the replayed callbacks to equal the listing, and the callbacks to have no gap or duplicate.
   */
  static void assertCacheMatchesServer(KeyspaceCache cache, CallbackReplay replay, KV kv, String prefix)
      throws Exception {
    GetResponse fresh = kv.get(Values.utf8(prefix), GetOption.builder().isPrefix(true).build())
        .get(30, TimeUnit.SECONDS);
    long revision = fresh.getHeader().getRevision();
    cache.awaitRevision(revision).get(30, TimeUnit.SECONDS);
    List<CacheEntry> expected = fresh.getKvs().stream()
        .map(kv1 -> new CacheEntry(kv1.getKey(), kv1.getValue(), kv1.getCreateRevision(), kv1.getModRevision(),
            kv1.getVersion(), kv1.getLease()))
        .toList();
    assertEquals(List.of(), replay.problems(), "callbacks with a gap or a duplicate (" + replay + ")");
    assertEquals(expected, cache.entries(), "cache at " + cache.revision() + " vs a range at " + revision);
    // listeners hear of a change before awaitRevision completes, so the replay is complete here
    assertEquals(expected, replay.entries(), "replayed callbacks vs a range at " + revision);
    assertEquals(List.of(), replay.problems(), "callbacks with a gap or a duplicate (" + replay + ")");
  }
}
