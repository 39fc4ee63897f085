package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.mvccpb.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.function.Executable;

/** A store in a temp dir with a running Raft index, a recording listener and a test lessor. */
final class StoreFixture implements AutoCloseable {
  final Path dir;
  final StoreOptions options;
  RocksKvStore store;
  long index = 0;
  final List<Long> revisions = new ArrayList<>();
  final List<List<Event>> events = new ArrayList<>();
  final TestLeases leases = new TestLeases();

  StoreFixture(Path dir) {
    this(dir, StoreOptions.defaults());
  }

  StoreFixture(Path dir, StoreOptions options) {
    this.dir = dir;
    this.options = options;
    open();
  }

  void open() {
    store = RocksKvStore.open(dir, options);
    store.addChangeListener((rev, evs) -> {
      revisions.add(rev);
      events.add(evs);
    });
    store.setLeaseHooks(leases);
  }

  void reopen() {
    store.close();
    leases.attachments.clear();
    open();
  }

  long next() {
    return ++index;
  }

  @Override
  public void close() {
    store.close();
  }

  static EtcdError error(Executable e) {
    EtcdException ex = Assertions.assertThrows(EtcdException.class, e);
    return ex.error();
  }

  /** A lessor: leases 1..9 exist; remembers which key is attached to which lease. */
  static final class TestLeases implements LeaseHooks {
    final Set<Long> existing = new HashSet<>(Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L));
    final Map<ByteString, Long> attachments = new HashMap<>();
    final List<String> calls = new ArrayList<>();

    @Override
    public boolean exists(long leaseId) {
      return existing.contains(leaseId);
    }

    @Override
    public void attached(long leaseId, ByteString key) {
      calls.add("attach " + leaseId + " " + key.toStringUtf8());
      attachments.put(key, leaseId);
    }

    @Override
    public void detached(long leaseId, ByteString key) {
      calls.add("detach " + leaseId + " " + key.toStringUtf8());
      Assertions.assertEquals(leaseId, attachments.remove(key), "detached a lease the key did not have");
    }
  }
}
