package io.keyway.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.keyway.client.cache.CacheOptions;
import io.keyway.client.cache.KeyspaceCache;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue #16's row: the client library's KeyspaceCache over N keys through jetcd, on one server. Load time (paged
 * list at one revision), the driver's heap the cache holds (after GC, before vs after), and the rate at which it
 * applies a rewrite of every key (txns of 128 puts, written as fast as the server takes them) beside a plain
 * jetcd watch loop that only counts the same events. Both run during the same rewrite, so events/s is bounded
 * by the server's write rate when both keep up; the cache's number is the interesting one when it falls behind.
 */
final class CacheBench {
  private static final String PREFIX = "bench/rss/";

  private CacheBench() {}

  static Side measure(Vertx vertx, Server server, long keys) throws BenchException {
    Side side = new Side();
    try (GrpcConnections grpc = new GrpcConnections(vertx, server.clientPort, 2);
         Client client = Client.builder().endpoints(server.clientUrl()).build()) {
      BulkLoad.load(vertx, grpc, keys, 16);
      ByteSequence prefix = ByteSequence.from(PREFIX, StandardCharsets.UTF_8);

      side.loadAvgStart = ProcStats.loadAverage();
      long heapBefore = usedHeapAfterGc();
      long start = System.nanoTime();
      KeyspaceCache cache = KeyspaceCache.open(client, prefix, CacheOptions.defaults()).get(10, TimeUnit.MINUTES);
      double loadSeconds = (System.nanoTime() - start) / 1e9;
      long heapAfter = usedHeapAfterGc();
      if (cache.size() != keys) {
        throw new BenchException("the cache holds " + cache.size() + " keys, expected " + keys);
      }

      AtomicLong plainEvents = new AtomicLong();
      AtomicLong plainDoneNanos = new AtomicLong();
      Watch.Watcher plain = client.getWatchClient().watch(prefix,
          WatchOption.builder().isPrefix(true).withRevision(cache.revision() + 1).build(), response -> {
            if (plainEvents.addAndGet(response.getEvents().size()) >= keys) {
              plainDoneNanos.compareAndSet(0, System.nanoTime());
            }
          });
      try (cache; plain) {
        long writeStart = System.nanoTime();
        BulkLoad.load(vertx, grpc, keys, 16);
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        long last = client.getKVClient().get(prefix, GetOption.builder().isPrefix(true).withCountOnly(true).build())
            .get(60, TimeUnit.SECONDS).getHeader().getRevision();
        cache.awaitRevision(last).get(10, TimeUnit.MINUTES);
        double cacheSeconds = (System.nanoTime() - writeStart) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (plainDoneNanos.get() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        if (plainDoneNanos.get() == 0) {
          throw new BenchException("the plain watch saw " + plainEvents.get() + " of " + keys + " events");
        }
        double plainSeconds = (plainDoneNanos.get() - writeStart) / 1e9;
        side.loadAvgEnd = ProcStats.loadAverage();
        side.value = Meter.round1(keys / cacheSeconds);
        side.ops = keys;
        side.errors = 0L;
        side.seconds = Meter.round2(cacheSeconds);
        side.extra.put("loadSeconds", Meter.round2(loadSeconds));
        side.extra.put("cacheHeapMib", Meter.round1((heapAfter - heapBefore) / 1048576.0));
        side.extra.put("rewriteSeconds", Meter.round2(writeSeconds));
        side.extra.put("plainWatchEventsPerSecond", Meter.round1(keys / plainSeconds));
      }
    } catch (BenchException e) {
      throw e;
    } catch (Exception e) {
      throw new BenchException("cache bench failed: " + e, e);
    }
    return side;
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
