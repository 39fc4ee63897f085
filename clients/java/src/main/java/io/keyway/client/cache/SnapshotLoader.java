package io.keyway.client.cache;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lists a key range consistently: the first page is a linearizable range at the current revision, every later
 * page reads at that same revision (etcd's MVCC keeps it until compacted), so a large prefix is read in pages
 * without mixing revisions. Pages come in key order without asking for a sort (a sorted range reads the
 * whole range before it applies the limit). Each page has a deadline: a member that stops answering must not
 * hang the cache.
 */
final class SnapshotLoader {
  private final KV kv;
  private final KeyRange range;
  private final int pageSize;
  private final Duration timeout;

  SnapshotLoader(KV kv, KeyRange range, int pageSize, Duration timeout) {
    this.kv = kv;
    this.range = range;
    this.pageSize = pageSize;
    this.timeout = timeout;
  }

  CompletableFuture<Snapshot> load() {
    return page(range.start(), 0, new ArrayList<>());
  }

  private CompletableFuture<Snapshot> page(ByteSequence from, long revision, List<CacheEntry> into) {
    GetOption option = GetOption.builder()
        .withRange(range.end())
        .withLimit(pageSize)
        .withRevision(revision)
        .build();
    return kv.get(from, option).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(response -> next(response, revision, into));
  }

  private CompletableFuture<Snapshot> next(GetResponse response, long revision, List<CacheEntry> into) {
    long at = revision != 0 ? revision : response.getHeader().getRevision();
    List<KeyValue> kvs = response.getKvs();
    for (KeyValue kv : kvs) {
      into.add(CacheEntry.of(kv));
    }
    if (!response.isMore() || kvs.isEmpty()) {
      return CompletableFuture.completedFuture(new Snapshot(at, List.copyOf(into)));
    }
    return page(KeyRange.successor(kvs.get(kvs.size() - 1).getKey()), at, into);
  }
}
