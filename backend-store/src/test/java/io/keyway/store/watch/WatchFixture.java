package io.keyway.store.watch;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.mvccpb.Event;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** A RocksDB store behind a {@link GatedKvStore}, a watchable store on it, and a log of every commit. */
final class WatchFixture implements AutoCloseable {
  static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

  final RocksKvStore rocks;
  final GatedKvStore kv;
  final WatchableStore watch;
  /** Every committed revision with its events as the store announced them (prev_kv included). */
  final NavigableMap<Long, List<Event>> commits = new ConcurrentSkipListMap<>();
  private long index;

  WatchFixture(Path dir, WatchOptions options) {
    rocks = RocksKvStore.open(dir, StoreOptions.defaults());
    rocks.addChangeListener((rev, events) -> commits.put(rev, events));
    kv = new GatedKvStore(rocks);
    watch = new WatchableStore(kv, options);
  }

  static ByteString bs(String s) {
    return ByteString.copyFrom(s, StandardCharsets.ISO_8859_1);
  }

  /** Returns the revision after the write. */
  synchronized long put(String key, String value) {
    return kv.put(++index, PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build())
        .getHeader().getRevision();
  }

  synchronized long delete(String key) {
    return kv.deleteRange(++index, DeleteRangeRequest.newBuilder().setKey(bs(key)).build())
        .getHeader().getRevision();
  }

  synchronized long deleteRange(String key, String end) {
    return kv.deleteRange(++index, DeleteRangeRequest.newBuilder().setKey(bs(key)).setRangeEnd(bs(end)).build())
        .getHeader().getRevision();
  }

  /** Several puts in one revision: {@code keyValues} alternates keys and values. */
  synchronized long putAll(String... keyValues) {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      txn.addSuccess(RequestOp.newBuilder().setRequestPut(
          PutRequest.newBuilder().setKey(bs(keyValues[i])).setValue(bs(keyValues[i + 1]))));
    }
    return kv.txn(++index, txn.build()).getHeader().getRevision();
  }

  synchronized void compact(long revision) {
    kv.compact(++index, CompactionRequest.newBuilder().setRevision(revision).setPhysical(true).build());
  }

  long revision() {
    return rocks.revision();
  }

  /** The committed events from {@code fromRev} on that {@code filter} keeps, in order. */
  List<Event> expected(long fromRev, java.util.function.Predicate<Event> filter) {
    List<Event> out = new ArrayList<>();
    for (Map.Entry<Long, List<Event>> c : commits.tailMap(fromRev, true).entrySet()) {
      for (Event e : c.getValue()) {
        if (filter.test(e)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  WatchClient client() {
    return new WatchClient(watch);
  }

  @Override
  public void close() {
    watch.close();
    rocks.close();
  }
}
