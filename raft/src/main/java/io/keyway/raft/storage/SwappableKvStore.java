package io.keyway.raft.storage;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
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
import io.keyway.store.LeaseHooks;
import io.keyway.store.KvHash;
import io.keyway.store.LeaseRecord;
import io.keyway.store.LeaseStore;
import io.keyway.store.RevisionChanges;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The store as every layer above sees it. Installing a Raft snapshot replaces the store's files, which means
 * closing and reopening the engine; this wrapper keeps one stable reference, re-registers change listeners and
 * lease hooks on the new engine (telling the hooks first that the store was replaced, so the lessor reloads
 * the new lease table), and keeps readers out while the files are swapped.
 *
 * <p>Once closed, every call fails with {@link EtcdError#STOPPED}.
 */
public final class SwappableKvStore implements LeaseStore {
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Path dir;
  private final StoreOpener opener;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private volatile LeaseHooks leaseHooks = LeaseHooks.NONE;
  private LeaseStore current;

  public SwappableKvStore(Path dir, StoreOpener opener) {
    this.dir = dir;
    this.opener = opener;
    this.current = opener.open(dir);
  }

  /** Closes the engine, replaces its directory with {@code checkpointDir}, reopens it. */
  public void restoreFrom(Path checkpointDir) throws IOException {
    lock.writeLock().lock();
    try {
      if (current == null) {
        throw EtcdError.STOPPED.exception();
      }
      current.close();
      current = null;
      StoreDirs.replaceWith(dir, checkpointDir);
      LeaseStore reopened = opener.open(dir);
      current = reopened;
      // the hooks read the new lease table through this wrapper (the write lock admits this thread's reads)
      leaseHooks.storeReplaced();
      reopened.setLeaseHooks(leaseHooks);
      listeners.forEach(reopened::addChangeListener);
    } finally {
      lock.writeLock().unlock();
    }
    // outside the write lock: a listener (the watchable store) may read the store while holding its own lock
    listeners.forEach(ChangeListener::storeReplaced);
  }

  private <T> T read(Supplier<T> op) {
    lock.readLock().lock();
    try {
      if (current == null) {
        throw EtcdError.STOPPED.exception();
      }
      return op.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public RangeResponse range(RangeRequest request) throws EtcdException {
    return read(() -> current.range(request));
  }

  @Override
  public long revision() {
    return read(() -> current.revision());
  }

  @Override
  public long compactRevision() {
    return read(() -> current.compactRevision());
  }

  @Override
  public long appliedIndex() {
    return read(() -> current.appliedIndex());
  }

  @Override
  public TxnResponse readTxn(TxnRequest request) throws EtcdException {
    return read(() -> current.readTxn(request));
  }

  @Override
  public List<RevisionChanges> changes(long fromRevision, long toRevision, int maxEvents, boolean withPrevKv)
      throws EtcdException {
    return read(() -> current.changes(fromRevision, toRevision, maxEvents, withPrevKv));
  }

  @Override
  public PutResponse put(long index, int part, PutRequest request) throws EtcdException {
    return read(() -> current.put(index, part, request));
  }

  @Override
  public DeleteRangeResponse deleteRange(long index, int part, DeleteRangeRequest request) throws EtcdException {
    return read(() -> current.deleteRange(index, part, request));
  }

  @Override
  public TxnResponse txn(long index, int part, TxnRequest request) throws EtcdException {
    return read(() -> current.txn(index, part, request));
  }

  @Override
  public CompactionResponse compact(long index, int part, CompactionRequest request) throws EtcdException {
    return read(() -> current.compact(index, part, request));
  }

  @Override
  public DeleteRangeResponse deleteKeys(long index, int part, Collection<ByteString> keys) {
    return read(() -> current.deleteKeys(index, part, keys));
  }

  @Override
  public boolean isApplied(long index, int part) {
    return read(() -> current.isApplied(index, part));
  }

  @Override
  public List<LeaseRecord> leases() {
    return read(() -> current.leases());
  }

  @Override
  public boolean grantLease(long index, int part, LeaseRecord lease) {
    return read(() -> current.grantLease(index, part, lease));
  }

  @Override
  public boolean putLeases(long index, int part, Collection<LeaseRecord> leases) {
    return read(() -> current.putLeases(index, part, leases));
  }

  @Override
  public DeleteRangeResponse revokeLease(long index, int part, long leaseId, Collection<ByteString> keys) {
    return read(() -> current.revokeLease(index, part, leaseId, keys));
  }

  @Override
  public void markApplied(long index, int part) {
    read(() -> {
      current.markApplied(index, part);
      return null;
    });
  }

  @Override
  public void addChangeListener(ChangeListener listener) {
    read(() -> {
      listeners.add(listener);
      current.addChangeListener(listener);
      return null;
    });
  }

  @Override
  public void setLeaseHooks(LeaseHooks hooks) {
    read(() -> {
      leaseHooks = hooks;
      current.setLeaseHooks(hooks);
      return null;
    });
  }

  @Override
  public void checkpoint(Path target) {
    read(() -> {
      current.checkpoint(target);
      return null;
    });
  }

  @Override
  public long dump(java.io.DataOutputStream out) {
    return read(() -> current.dump(out));
  }

  @Override
  public <T> T readImage(io.keyway.store.StoreImage.Reader<T> reader) throws java.io.IOException {
    try {
      return read(() -> {
        try {
          return current.readImage(reader);
        } catch (java.io.IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public KvHash hashKv(long revision) throws EtcdException {
    return read(() -> current.hashKv(revision));
  }

  @Override
  public long hash() {
    return read(() -> current.hash());
  }

  @Override
  public void defragment() {
    read(() -> {
      current.defragment();
      return null;
    });
  }

  @Override
  public byte[] record(String name) {
    return read(() -> current.record(name));
  }

  @Override
  public boolean putRecord(long index, int part, String name, byte[] value) {
    return read(() -> current.putRecord(index, part, name, value));
  }

  @Override
  public long sizeOnDisk() {
    return read(() -> current.sizeOnDisk());
  }

  @Override
  public long sizeInUse() {
    return read(() -> current.sizeInUse());
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (current != null) {
        current.close();
        current = null;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
