package io.keyway.store.watch;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.store.ChangeListener;
import io.keyway.store.KvStore;
import io.keyway.store.LeaseHooks;
import io.keyway.store.RevisionChanges;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store whose history reads can be held at the door (to make a catch-up round race with commits on
 * purpose) and whose change notifications can be swallowed (as when a snapshot replaces the store).
 */
final class GatedKvStore implements KvStore {
  private final KvStore delegate;
  private volatile boolean gated;
  /** Permits released by the test, one per history read allowed through while gated. */
  final Semaphore gate = new Semaphore(0);
  /** Released once per history read that reached the gate. */
  final Semaphore arrived = new Semaphore(0);
  final AtomicInteger changeCalls = new AtomicInteger();
  volatile boolean swallowNotifications;
  private final List<ChangeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  GatedKvStore(KvStore delegate) {
    this.delegate = delegate;
  }

  void closeGate() { gated = true; }

  void openGate() {
    gated = false;
    gate.release(1000);
  }

  @Override
  public List<RevisionChanges> changes(long fromRevision, long toRevision, int maxEvents, boolean withPrevKv) {
    changeCalls.incrementAndGet();
    if (gated) {
      arrived.release();
      gate.acquireUninterruptibly();
    }
    return delegate.changes(fromRevision, toRevision, maxEvents, withPrevKv);
  }

  /** Tells the listeners that the content was replaced, as SwappableKvStore does after a snapshot install. */
  void announceReplaced() {
    listeners.forEach(ChangeListener::storeReplaced);
  }

  @Override
  public void addChangeListener(ChangeListener listener) {
    listeners.add(listener);
    delegate.addChangeListener(new ChangeListener() {
      @Override
      public void onCommit(long rev, List<io.keyway.api.mvccpb.Event> events) {
        if (!swallowNotifications) {
          listener.onCommit(rev, events);
        }
      }

      @Override
      public void onCommit(long rev, List<io.keyway.api.mvccpb.Event> events,
          java.util.function.Supplier<List<io.keyway.api.mvccpb.Event>> withPrevKv) {
        if (!swallowNotifications) {
          listener.onCommit(rev, events, withPrevKv); // the store's own call: prev_kv read only on demand
        }
      }
    });
  }

  @Override public RangeResponse range(RangeRequest request) { return delegate.range(request); }
  @Override public TxnResponse readTxn(TxnRequest request) { return delegate.readTxn(request); }
  @Override public long revision() { return delegate.revision(); }
  @Override public long compactRevision() { return delegate.compactRevision(); }
  @Override public long appliedIndex() { return delegate.appliedIndex(); }

  @Override
  public PutResponse put(long index, int part, PutRequest request) {
    return delegate.put(index, part, request);
  }

  @Override
  public DeleteRangeResponse deleteRange(long index, int part, DeleteRangeRequest request) {
    return delegate.deleteRange(index, part, request);
  }

  @Override
  public TxnResponse txn(long index, int part, TxnRequest request) {
    return delegate.txn(index, part, request);
  }

  @Override
  public CompactionResponse compact(long index, int part, CompactionRequest request) {
    return delegate.compact(index, part, request);
  }

  @Override
  public DeleteRangeResponse deleteKeys(long index, int part, Collection<ByteString> keys) {
    return delegate.deleteKeys(index, part, keys);
  }

  @Override public void markApplied(long index, int part) { delegate.markApplied(index, part); }
  @Override public void setLeaseHooks(LeaseHooks hooks) { delegate.setLeaseHooks(hooks); }
  @Override public void checkpoint(Path target) { delegate.checkpoint(target); }
  @Override public long dump(java.io.DataOutputStream out) { return delegate.dump(out); }
  @Override public <T> T readImage(io.keyway.store.StoreImage.Reader<T> reader) throws java.io.IOException {
    return delegate.readImage(reader);
  }
  @Override public long sizeOnDisk() { return delegate.sizeOnDisk(); }
  @Override public long sizeInUse() { return delegate.sizeInUse(); }
  @Override public io.keyway.store.KvHash hashKv(long revision) { return delegate.hashKv(revision); }
  @Override public long hash() { return delegate.hash(); }
  @Override public void defragment() { delegate.defragment(); }
  @Override public byte[] record(String name) { return delegate.record(name); }
  @Override public boolean putRecord(long index, int part, String name, byte[] value) {
    return delegate.putRecord(index, part, name, value);
  }
  @Override public void close() { delegate.close(); }
}
