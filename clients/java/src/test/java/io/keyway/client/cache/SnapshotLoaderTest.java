package io.keyway.client.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.kv.CompactResponse;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.TxnOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SnapshotLoaderTest {

  /** A server whose prefix changes right after the first page is served: later pages must read the old revision. */
  private static final class ChangingServer implements KV {
    final List<String> requests = new ArrayList<>();
    final TreeMap<Long, NavigableMap<String, KeyValue>> revisions = new TreeMap<>();

    ChangingServer() {
      NavigableMap<String, KeyValue> at10 = new TreeMap<>();
      for (int i = 0; i < 25; i++) {
        at10.put(key(i), kv(key(i), 5 + i % 5));
      }
      revisions.put(10L, at10);
    }

    static String key(int i) {
      return String.format("p/k%02d", i);
    }

    static KeyValue kv(String key, long mod) {
      return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v"))
          .setCreateRevision(mod).setModRevision(mod).setVersion(1).build();
    }

    @Override
    public CompletableFuture<GetResponse> get(ByteSequence key, GetOption option) {
      String from = key.toString(StandardCharsets.UTF_8);
      String to = option.getEndKey().orElseThrow().toString(StandardCharsets.UTF_8);
      requests.add(from + "@" + option.getRevision() + " limit " + option.getLimit());
      long rev = option.getRevision() == 0 ? revisions.lastKey() : option.getRevision();
      List<KeyValue> page = new ArrayList<>(revisions.get(rev).subMap(from, true, to, false).values());
      boolean more = page.size() > option.getLimit();
      page = page.subList(0, (int) Math.min(page.size(), option.getLimit()));
      long current = revisions.lastKey();
      if (revisions.size() == 1) {
        // a write lands between the pages: k00 deleted, k30 created at revision 11
        NavigableMap<String, KeyValue> at11 = new TreeMap<>(revisions.get(10L));
        at11.remove(key(0));
        at11.put(key(30), kv(key(30), 11));
        revisions.put(11L, at11);
      }
      RangeResponse response = RangeResponse.newBuilder()
          .setHeader(ResponseHeader.newBuilder().setRevision(current).build())
          .addAllKvs(page).setMore(more).setCount(page.size()).build();
      return CompletableFuture.completedFuture(new GetResponse(response, ByteSequence.EMPTY));
    }

    @Override
    public CompletableFuture<GetResponse> get(ByteSequence key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<PutResponse> put(ByteSequence key, ByteSequence value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<PutResponse> put(ByteSequence key, ByteSequence value, PutOption option) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(ByteSequence key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(ByteSequence key, DeleteOption option) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<CompactResponse> compact(long revision) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<CompactResponse> compact(long revision, CompactOption option) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Txn txn() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Txn txn(TxnOption option) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void everyPageReadsTheRevisionOfTheFirst() {
    ChangingServer server = new ChangingServer();
    Snapshot snapshot = new SnapshotLoader(server, KeyRange.prefix(Values.utf8("p/")), 10, Duration.ofSeconds(5))
        .load().join();
    assertEquals(10, snapshot.revision());
    assertEquals(25, snapshot.entries().size());
    assertEquals("p/k00", snapshot.entries().get(0).keyString());
    assertEquals("p/k24", snapshot.entries().get(24).keyString());
    assertEquals(List.of("p/@0 limit 10", "p/k09\0@10 limit 10", "p/k19\0@10 limit 10"), server.requests);
  }
}
