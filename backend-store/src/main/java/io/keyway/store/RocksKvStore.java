package io.keyway.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
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
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.store.index.KeyIndex;
import io.keyway.store.index.TreeIndex;
import io.keyway.store.mvcc.Change;
import io.keyway.store.mvcc.KvHasher;
import io.keyway.store.mvcc.KvOps;
import io.keyway.store.mvcc.RangeQuery;
import io.keyway.store.mvcc.Revision;
import io.keyway.store.mvcc.ValueSource;
import io.keyway.store.mvcc.WriteTxn;
import io.keyway.store.rocks.Compactor;
import io.keyway.store.rocks.RocksBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MVCC store on RocksDB (etcd's mvcc package with bbolt replaced by RocksDB).
 *
 * <p>Layout: every version of every key is one RocksDB entry in column family {@code revisions}, keyed by
 * its {@link Revision}; the {@link TreeIndex} in memory maps keys to their revisions and is rebuilt from
 * that column family on open. Column family {@code meta} holds the applied position, the current revision
 * and the compaction revision, written in the same {@link WriteBatch} as the write's revisions. Column family
 * {@code leases} holds the lease table ({@link LeaseRecord}); a grant or revoke changes it in the same batch
 * as the applied position (and, for a revoke, the deletion of the lease's keys).
 *
 * <p>Durability: writes go through the RocksDB WAL without fsync (unless {@link StoreOptions#syncWrites()}).
 * That is enough because the Raft log is fsynced before an entry is applied and is the source of truth: a
 * process crash loses nothing (the WAL is in the OS page cache), and after a machine crash the store
 * recovers a prefix of its writes together with the matching applied index, from which the Raft log is
 * replayed. The Raft layer must therefore not purge log entries above the index of its latest
 * {@link #checkpoint} (checkpoints flush everything to fsynced files).
 *
 * <p>Concurrency: one apply thread writes under the write side of a read/write lock; readers consult the
 * index under the read side, take a RocksDB snapshot there, and read values after releasing the lock.
 * Stored revisions are immutable and only removed after the index dropped them, so the snapshot holds
 * every value the reader resolved.
 */
public final class RocksKvStore implements LeaseStore {
  private static final Logger log = LoggerFactory.getLogger(RocksKvStore.class);

  private static final String META_APPLIED = "applied";
  private static final String META_REVISION = "revision";
  private static final String META_COMPACT = "compact";
  /** Meta keys of the records of the layers above ({@link #putRecord}). */
  private static final String META_RECORD_PREFIX = "record/";

  /** Where the apply stream stands: entry {@code index}, up to and including {@code part}. */
  private record Position(long index, int part) {
    boolean after(Position o) {
      return index != o.index ? index > o.index : part > o.part;
    }

    long completeIndex() {
      return part == WHOLE_ENTRY ? index : index - 1;
    }
  }

  /** What a committed write hands to listeners and lease hooks once the locks are released. */
  private record Committed(long revision, List<Change> changes) {}

  private final Path dir;
  private final StoreOptions options;
  private final RocksBackend backend;
  private final Compactor compactor;
  private final TreeIndex index = new TreeIndex();
  private final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
  /** Held (shared) by every operation, (exclusively) by close, so native handles outlive their users. */
  private final ReentrantReadWriteLock openLock = new ReentrantReadWriteLock();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final ValueSource disk;
  private volatile LeaseHooks leaseHooks = LeaseHooks.NONE;
  private volatile long currentRev;
  /** etcd's compactMainRev: -1 until the first compaction. */
  private volatile long compactRev;
  private volatile Position applied;
  private volatile boolean closed;
  private volatile StoreFailedException failure;

  private RocksKvStore(Path dir, StoreOptions options, RocksBackend backend) {
    this.dir = dir;
    this.options = options;
    this.backend = backend;
    this.disk = revs -> backend.load(revs, null);
    this.compactor = new Compactor(backend, options.compactionBatchSize());
    try {
      recover();
    } catch (RuntimeException e) {
      compactor.close();
      throw e;
    }
  }

  /** Opens (or creates) the store in {@code dir}; the index is rebuilt from disk. */
  public static RocksKvStore open(Path dir, StoreOptions options) {
    RocksBackend backend = RocksBackend.open(dir, options);
    try {
      return new RocksKvStore(dir, options, backend);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * Replaces whatever is in {@code dir} with a copy of {@code checkpoint} (made by {@link #checkpoint}) and
   * opens it: how a member installs a snapshot. The checkpoint directory is left untouched.
   */
  public static RocksKvStore restore(Path checkpoint, Path dir, StoreOptions options) {
    try {
      deleteRecursively(dir);
      copyRecursively(checkpoint, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore " + checkpoint + " into " + dir, e);
    }
    return open(dir, options);
  }

  public Path dir() { return dir; }

  public StoreOptions options() { return options; }

  // ---- recovery ------------------------------------------------------------------------------------------

  private void recover() {
    byte[] a = backend.getMeta(META_APPLIED);
    applied = a == null ? new Position(-1, WHOLE_ENTRY)
        : new Position(ByteBuffer.wrap(a).getLong(), ByteBuffer.wrap(a).getInt(8));
    byte[] r = backend.getMeta(META_REVISION);
    long metaRev = r == null ? 1 : ByteBuffer.wrap(r).getLong();
    byte[] c = backend.getMeta(META_COMPACT);
    compactRev = c == null ? -1 : ByteBuffer.wrap(c).getLong();

    long[] maxMain = {0};
    backend.scanRevisions(null, null, null, (key, value) -> {
      Revision rev = Revision.fromKey(key);
      StoredKv kv = StoredKv.parse(value);
      KeyIndex ki = index.getOrCreate(kv.key);
      if (Revision.isTombstoneKey(key)) {
        ki.tombstone(rev);
      } else {
        ki.restorePut(rev, kv.createRevision, kv.version, kv.lease);
      }
      maxMain[0] = Math.max(maxMain[0], rev.main());
      return true;
    });
    if (maxMain[0] > metaRev) {
      log.warn("store at {} holds revision {} above its recorded revision {}", dir, maxMain[0], metaRev);
      metaRev = maxMain[0];
    }
    currentRev = Math.max(1, metaRev);
    if (compactRev > 0) {
      // finishes a physical compaction that a crash or close interrupted
      List<byte[]> leftovers = index.compact(compactRev);
      if (!leftovers.isEmpty()) {
        log.info("resuming compaction at revision {}: {} revisions to remove", compactRev, leftovers.size());
        compactor.schedule(leftovers);
      }
    }
    log.info("opened store at {}: revision {}, compacted {}, applied index {}, {} keys",
        dir, currentRev, compactRev, applied.completeIndex(), index.size());
  }

  /** The fields of a stored KeyValue the index needs, without materialising the value. */
  private record StoredKv(ByteString key, long createRevision, long version, long lease) {
    static StoredKv parse(byte[] bytes) {
      try {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        ByteString key = ByteString.EMPTY;
        long created = 0;
        long version = 0;
        long lease = 0;
        while (true) {
          int tag = in.readTag();
          if (tag == 0) {
            break;
          }
          switch (WireFormat.getTagFieldNumber(tag)) {
            case KeyValue.KEY_FIELD_NUMBER -> key = in.readBytes();
            case KeyValue.CREATE_REVISION_FIELD_NUMBER -> created = in.readInt64();
            case KeyValue.VERSION_FIELD_NUMBER -> version = in.readInt64();
            case KeyValue.LEASE_FIELD_NUMBER -> lease = in.readInt64();
            default -> in.skipField(tag);
          }
        }
        return new StoredKv(key, created, version, lease);
      } catch (InvalidProtocolBufferException e) {
        throw new StoreFailedException("corrupt KeyValue in store: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  @Override
  public RangeResponse range(RangeRequest request) {
    RequestChecks.checkRange(request);
    return whileOpen(() -> {
      RangeQuery.Resolved res;
      Snapshot snapshot = null;
      Lock l = stateLock.readLock();
      l.lock();
      try {
        res = RangeQuery.resolve(index, request, currentRev, compactRev);
        if (!res.revisions().isEmpty()) {
          snapshot = backend.snapshot();
        }
      } finally {
        l.unlock();
      }
      try {
        return RangeQuery.finish(request, res, backend.load(res.revisions(), snapshot));
      } finally {
        backend.release(snapshot);
      }
    });
  }

  @Override
  public TxnResponse readTxn(TxnRequest request) {
    if (!RequestChecks.isReadOnly(request)) {
      throw new IllegalArgumentException("readTxn needs a read-only txn");
    }
    RequestChecks.checkTxn(request, options.maxTxnOps());
    return whileOpen(() -> {
      Lock l = stateLock.readLock();
      l.lock();
      try {
        // only ranges: the write view is used read-only, under the read lock
        WriteTxn view = new WriteTxn(index, disk, currentRev, compactRev);
        return KvOps.txn(view, request, lease -> false);
      } finally {
        l.unlock();
      }
    });
  }

  @Override
  public List<RevisionChanges> changes(long fromRevision, long toRevision, int maxEvents, boolean withPrevKv) {
    return whileOpen(() -> {
      long from;
      long to;
      Snapshot snapshot;
      Lock l = stateLock.readLock();
      l.lock();
      try {
        if (fromRevision < compactRev) {
          throw EtcdError.COMPACTED.exception();
        }
        from = Math.max(1, fromRevision);
        to = Math.min(toRevision, currentRev);
        if (from > to) {
          return List.of();
        }
        snapshot = backend.snapshot();
      } finally {
        l.unlock();
      }
      try {
        List<RevisionChanges> out = readChanges(from, to, maxEvents, snapshot);
        return withPrevKv ? addPrevKvs(out, snapshot) : out;
      } finally {
        backend.release(snapshot);
      }
    });
  }

  private List<RevisionChanges> readChanges(long from, long to, int maxEvents, Snapshot snapshot) {
    List<RevisionChanges> out = new ArrayList<>();
    List<Event> current = new ArrayList<>();
    long[] state = {-1, 0}; // revision being collected, events collected so far
    backend.scanRevisions(Revision.firstKeyOf(from), Revision.firstKeyOf(to + 1), snapshot, (key, value) -> {
      Revision rev = Revision.fromKey(key);
      if (rev.main() != state[0]) {
        if (state[0] >= 0) {
          out.add(new RevisionChanges(state[0], List.copyOf(current)));
          current.clear();
          if (state[1] >= maxEvents) {
            return false;
          }
        }
        state[0] = rev.main();
      }
      KeyValue kv;
      try {
        kv = KeyValue.parseFrom(value);
      } catch (InvalidProtocolBufferException e) {
        throw new StoreFailedException("corrupt KeyValue in store", e);
      }
      boolean tomb = Revision.isTombstoneKey(key);
      current.add(Event.newBuilder()
          .setType(tomb ? Event.EventType.DELETE : Event.EventType.PUT)
          .setKv(tomb ? KeyValue.newBuilder().setKey(kv.getKey()).setModRevision(rev.main()).build() : kv)
          .build());
      state[1]++;
      return true;
    });
    if (!current.isEmpty()) {
      out.add(new RevisionChanges(state[0], List.copyOf(current)));
    }
    return out;
  }

  /** prev_kv as etcd's watcher finds it: the key at {@code mod_revision - 1}, never for a creation. */
  private List<RevisionChanges> addPrevKvs(List<RevisionChanges> changes, Snapshot snapshot) {
    List<Revision> wanted = new ArrayList<>();
    Lock l = stateLock.readLock();
    l.lock();
    try {
      for (RevisionChanges rc : changes) {
        for (Event e : rc.events()) {
          KeyValue kv = e.getKv();
          boolean creation = e.getType() == Event.EventType.PUT && kv.getCreateRevision() == kv.getModRevision();
          KeyIndex ki = creation || rc.revision() - 1 < compactRev ? null : index.get(kv.getKey());
          wanted.add(ki == null ? null : ki.visibleAt(rc.revision() - 1));
        }
      }
    } finally {
      l.unlock();
    }
    List<Revision> present = wanted.stream().filter(r -> r != null).toList();
    List<KeyValue> loaded = backend.load(present, snapshot);
    List<RevisionChanges> out = new ArrayList<>(changes.size());
    int w = 0;
    int next = 0;
    for (RevisionChanges rc : changes) {
      List<Event> events = new ArrayList<>(rc.events().size());
      for (Event e : rc.events()) {
        events.add(wanted.get(w++) == null ? e : e.toBuilder().setPrevKv(loaded.get(next++)).build());
      }
      out.add(new RevisionChanges(rc.revision(), List.copyOf(events)));
    }
    return out;
  }

  @Override
  public long revision() { return currentRev; }

  @Override
  public long compactRevision() { return Math.max(0, compactRev); }

  /** The highest fully applied Raft index; -1 when nothing was applied yet. */
  @Override
  public long appliedIndex() { return applied.completeIndex(); }

  // ---- writes --------------------------------------------------------------------------------------------

  @Override
  public PutResponse put(long index, int part, PutRequest request) {
    return applyWrite(index, part,
        () -> PutResponse.newBuilder().setHeader(KvOps.header(currentRev)).build(),
        tw -> {
          RequestChecks.checkPut(request);
          return KvOps.put(tw, request, this::leaseExists);
        }, null);
  }

  @Override
  public DeleteRangeResponse deleteRange(long index, int part, DeleteRangeRequest request) {
    return applyWrite(index, part,
        () -> DeleteRangeResponse.newBuilder().setHeader(KvOps.header(currentRev)).build(),
        tw -> {
          RequestChecks.checkDeleteRange(request);
          return KvOps.deleteRange(tw, request);
        }, null);
  }

  @Override
  public TxnResponse txn(long index, int part, TxnRequest request) {
    return applyWrite(index, part,
        () -> TxnResponse.newBuilder().setHeader(KvOps.header(currentRev)).build(),
        tw -> {
          RequestChecks.checkTxn(request, options.maxTxnOps());
          return KvOps.txn(tw, request, this::leaseExists);
        }, null);
  }

  @Override
  public DeleteRangeResponse deleteKeys(long index, int part, Collection<ByteString> keys) {
    return applyWrite(index, part,
        () -> DeleteRangeResponse.newBuilder().setHeader(KvOps.header(currentRev)).build(),
        tw -> deleteSorted(tw, keys), null);
  }

  /** Deletes in key order, as every member must (etcd sorts a lease's keys before revoking them). */
  private static DeleteRangeResponse deleteSorted(WriteTxn tw, Collection<ByteString> keys) {
    TreeSet<ByteString> sorted = new TreeSet<>(ByteString.unsignedLexicographicalComparator());
    sorted.addAll(keys);
    long deleted = 0;
    for (ByteString key : sorted) {
      if (tw.delete(key)) {
        deleted++;
      }
    }
    return DeleteRangeResponse.newBuilder().setDeleted(deleted).setHeader(KvOps.header(tw.endRev())).build();
  }

  // ---- lease table ---------------------------------------------------------------------------------------

  @Override
  public List<LeaseRecord> leases() {
    return whileOpen(() -> {
      List<LeaseRecord> out = new ArrayList<>();
      backend.scanLeases((key, value) -> out.add(LeaseRecord.decode(key, value)));
      return out;
    });
  }

  @Override
  public boolean isApplied(long index, int part) {
    return !new Position(index, part).after(applied);
  }

  @Override
  public boolean grantLease(long index, int part, LeaseRecord lease) {
    return putLeases(index, part, List.of(lease));
  }

  @Override
  public boolean putLeases(long index, int part, Collection<LeaseRecord> leases) {
    return writeAtPosition(index, part, batch -> {
      for (LeaseRecord lease : leases) {
        backend.putLease(batch, lease.key(), lease.value());
      }
    });
  }

  @Override
  public DeleteRangeResponse revokeLease(long index, int part, long leaseId, Collection<ByteString> keys) {
    byte[] record = LeaseRecord.idKey(leaseId);
    return applyWrite(index, part, () -> null, tw -> deleteSorted(tw, keys),
        batch -> backend.deleteLease(batch, record));
  }

  @Override
  public CompactionResponse compact(long index, int part, CompactionRequest request) {
    Position pos = new Position(index, part);
    CompletableFuture<Void> physical;
    long headerRev;
    Lock open = openLock.readLock();
    open.lock();
    try {
      ensureWritable();
      Lock l = stateLock.writeLock();
      l.lock();
      try {
        headerRev = currentRev;
        if (!pos.after(applied)) {
          return CompactionResponse.newBuilder().setHeader(KvOps.header(headerRev)).build();
        }
        long rev = request.getRevision();
        if (rev <= compactRev) {
          recordPosition(pos);
          throw EtcdError.COMPACTED.exception();
        }
        if (rev > currentRev) {
          recordPosition(pos);
          throw EtcdError.FUTURE_REV.exception();
        }
        List<byte[]> removed = this.index.compact(rev);
        try (WriteBatch batch = new WriteBatch()) {
          backend.putMeta(batch, META_COMPACT, longBytes(rev));
          backend.putMeta(batch, META_APPLIED, positionBytes(pos));
          write(batch);
        }
        compactRev = rev;
        applied = pos;
        physical = compactor.schedule(removed);
      } finally {
        l.unlock();
      }
    } finally {
      open.unlock();
    }
    if (request.getPhysical()) {
      try {
        physical.join();
      } catch (RuntimeException e) {
        // logged by the compactor; the deletion is redone on the next open
      }
    }
    return CompactionResponse.newBuilder().setHeader(KvOps.header(headerRev)).build();
  }

  @Override
  public void markApplied(long index, int part) {
    Position pos = new Position(index, part);
    Lock open = openLock.readLock();
    open.lock();
    try {
      ensureWritable();
      Lock l = stateLock.writeLock();
      l.lock();
      try {
        if (pos.after(applied)) {
          recordPosition(pos);
        }
      } finally {
        l.unlock();
      }
    } finally {
      open.unlock();
    }
  }

  /**
   * The frame of every key-space write: replay detection, the write itself on a fresh {@link WriteTxn},
   * one atomic batch with the applied position (plus {@code extra}, e.g. a lease record's removal, when the
   * body succeeded), then listeners and lease hooks outside the locks.
   */
  private <T> T applyWrite(long index, int part, Supplier<T> replayResponse, Function<WriteTxn, T> body,
      Consumer<WriteBatch> extra) {
    Position pos = new Position(index, part);
    T result;
    Committed committed;
    Lock open = openLock.readLock();
    open.lock();
    try {
      ensureWritable();
      Lock l = stateLock.writeLock();
      l.lock();
      try {
        if (!pos.after(applied)) {
          log.debug("skipping replayed write at {}/{} (applied {})", index, part, applied);
          return replayResponse.get();
        }
        WriteTxn tw = new WriteTxn(this.index, disk, currentRev, compactRev);
        try {
          result = body.apply(tw);
        } catch (StoreFailedException e) {
          tw.rollback();
          failure = e;
          throw e;
        } catch (RuntimeException e) {
          // the failure is the entry's result: record the entry as applied so a replay does not redo it
          tw.rollback();
          recordPosition(pos);
          if (!(e instanceof EtcdException)) {
            log.error("write at index {} failed unexpectedly; it is recorded as applied without effect", index, e);
          }
          throw e;
        }
        committed = commit(tw, pos, extra);
      } finally {
        l.unlock();
      }
    } finally {
      open.unlock();
    }
    publish(committed);
    return result;
  }

  private Committed commit(WriteTxn tw, Position pos, Consumer<WriteBatch> extra) {
    long newRev = tw.endRev();
    try (WriteBatch batch = new WriteBatch()) {
      if (extra != null) {
        extra.accept(batch);
      }
      for (Change c : tw.changes()) {
        backend.putRevision(batch, c.revision().toKey(c.tombstone()), c.kv().toByteArray());
      }
      if (tw.hasChanges()) {
        backend.putMeta(batch, META_REVISION, longBytes(newRev));
      }
      backend.putMeta(batch, META_APPLIED, positionBytes(pos));
      write(batch);
    } catch (StoreFailedException e) {
      tw.rollback();
      throw e;
    }
    currentRev = newRev;
    applied = pos;
    return tw.hasChanges() ? new Committed(newRev, List.copyOf(tw.changes())) : null;
  }

  private void recordPosition(Position pos) {
    try (WriteBatch batch = new WriteBatch()) {
      backend.putMeta(batch, META_APPLIED, positionBytes(pos));
      write(batch);
    }
    applied = pos;
  }

  private void write(WriteBatch batch) {
    try {
      backend.write(batch);
    } catch (StoreFailedException e) {
      failure = e;
      throw e;
    }
  }

  private void publish(Committed committed) {
    if (committed == null) {
      return;
    }
    LeaseHooks hooks = leaseHooks;
    for (Change c : committed.changes()) {
      try {
        if (c.detachedLease() != 0) {
          hooks.detached(c.detachedLease(), c.kv().getKey());
        }
        if (c.attachedLease() != 0) {
          hooks.attached(c.attachedLease(), c.kv().getKey());
        }
      } catch (RuntimeException e) {
        // the write is committed; a lessor bug must not turn it into a failed request
        log.error("lease hook failed for key {} at revision {}", c.kv().getKey(), committed.revision(), e);
      }
    }
    if (listeners.isEmpty()) {
      return;
    }
    List<Event> events = new ArrayList<>(committed.changes().size());
    for (Change c : committed.changes()) {
      events.add(c.toEvent(null));
    }
    List<Event> view = List.copyOf(events);
    PrevKvEvents withPrevKv = new PrevKvEvents(committed);
    for (ChangeListener listener : listeners) {
      try {
        listener.onCommit(committed.revision(), view, withPrevKv);
      } catch (RuntimeException e) {
        log.error("change listener failed at revision {}", committed.revision(), e);
      }
    }
  }

  /**
   * A commit's events with {@code prev_kv}, read from disk only when a listener asks (a watcher with
   * {@code prev_kv}), once per commit. Asked on the apply thread before the next write, so the previous
   * versions are still there: a compaction that could remove them is a later entry.
   */
  private final class PrevKvEvents implements Supplier<List<Event>> {
    private final Committed committed;
    private List<Event> events;

    PrevKvEvents(Committed committed) {
      this.committed = committed;
    }

    @Override
    public List<Event> get() {
      if (events == null) {
        List<Revision> prevs = new ArrayList<>();
        for (Change c : committed.changes()) {
          if (c.prevRevision() != null) {
            prevs.add(c.prevRevision());
          }
        }
        List<KeyValue> loaded = prevs.isEmpty() ? List.of() : whileOpen(() -> disk.load(prevs));
        List<Event> out = new ArrayList<>(committed.changes().size());
        int next = 0;
        for (Change c : committed.changes()) {
          out.add(c.toEvent(c.prevRevision() == null ? null : loaded.get(next++)));
        }
        events = List.copyOf(out);
      }
      return events;
    }
  }

  private boolean leaseExists(long lease) {
    return leaseHooks.exists(lease);
  }

  // ---- hooks ---------------------------------------------------------------------------------------------

  @Override
  public void addChangeListener(ChangeListener listener) {
    listeners.add(listener);
  }

  @Override
  public void setLeaseHooks(LeaseHooks hooks) {
    this.leaseHooks = hooks;
    List<KeyIndex> leased = new ArrayList<>();
    List<Long> leases = new ArrayList<>();
    whileOpen(() -> {
      Lock l = stateLock.readLock();
      l.lock();
      try {
        for (KeyIndex ki : index.all()) {
          if (ki.lease() != 0) {
            leased.add(ki);
            leases.add(ki.lease());
          }
        }
      } finally {
        l.unlock();
      }
      return null;
    });
    for (int i = 0; i < leased.size(); i++) {
      hooks.attached(leases.get(i), leased.get(i).key());
    }
  }

  // ---- snapshots and maintenance -------------------------------------------------------------------------

  @Override
  public void checkpoint(Path target) {
    whileOpen(() -> {
      // the read side keeps the apply thread out, so the copy matches one applied position
      Lock l = stateLock.readLock();
      l.lock();
      try {
        backend.checkpoint(target);
      } finally {
        l.unlock();
      }
      return null;
    });
  }

  @Override
  public long dump(java.io.DataOutputStream out) {
    return whileOpen(() -> {
      // the (long) write reads the snapshot without holding up applies
      Snapshot snapshot = appliedSnapshot();
      try {
        return io.keyway.store.rocks.LogicalDump.write(backend, snapshot, out);
      } finally {
        backend.release(snapshot);
      }
    });
  }

  /** Fills a new, empty store at {@code dir} from a dump written by {@link #dump}. */
  public static void load(Path dir, StoreOptions options, java.io.DataInputStream in) throws java.io.IOException {
    try (io.keyway.store.rocks.RocksBackend fresh = io.keyway.store.rocks.RocksBackend.open(dir, options)) {
      io.keyway.store.rocks.LogicalDump.read(in, fresh);
      fresh.compactAll(); // flushes too: the loaded data is in table files, not only in the WAL
    }
  }

  @Override
  public <T> T readImage(StoreImage.Reader<T> reader) throws IOException {
    Lock open = openLock.readLock();
    open.lock();
    try {
      if (closed) {
        throw new StoreFailedException("store is closed");
      }
      long revision;
      long compacted;
      long appliedIndex;
      Snapshot snapshot;
      Lock l = stateLock.readLock();
      l.lock();
      try {
        // the counters and the snapshot are taken together: they describe the same applied position
        revision = currentRev;
        compacted = Math.max(0, compactRev);
        appliedIndex = applied.completeIndex();
        snapshot = backend.snapshot();
      } finally {
        l.unlock();
      }
      try {
        return reader.read(new StoreImage() {
          @Override public long revision() { return revision; }

          @Override public long compactRevision() { return compacted; }

          @Override public long appliedIndex() { return Math.max(0, appliedIndex); }

          @Override
          public void forEachRevision(RevisionVisitor visitor) throws IOException {
            try {
              backend.scanRevisions(null, null, snapshot, (key, value) -> {
                try {
                  visitor.visit(Revision.fromKey(key), Revision.isTombstoneKey(key), value);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return true;
              });
            } catch (UncheckedIOException e) {
              throw e.getCause();
            }
          }

          @Override
          public List<LeaseRecord> leases() {
            List<LeaseRecord> out = new ArrayList<>();
            backend.scanLeases(snapshot, (key, value) -> out.add(LeaseRecord.decode(key, value)));
            return out;
          }

          @Override
          public byte[] record(String name) {
            return backend.getMeta(META_RECORD_PREFIX + name, snapshot);
          }
        });
      } finally {
        backend.release(snapshot);
      }
    } finally {
      open.unlock();
    }
  }

  /**
   * Fills a new, empty store at {@code dir} with what {@code source} hands over (an image read from another
   * format); the apply position stays unset, as after {@link #forgetAppliedPosition}.
   */
  public static void load(Path dir, StoreOptions options, StoreImage.Source source) throws IOException {
    try (RocksBackend fresh = RocksBackend.open(dir, options)) {
      ImageLoader loader = new ImageLoader(fresh);
      try {
        source.fill(loader);
        loader.flush();
      } finally {
        loader.batch.close();
      }
      fresh.compactAll(); // flushes too: the loaded data is in table files, not only in the WAL
    }
  }

  /** Writes an image into a backend in batches of a few MiB. */
  private static final class ImageLoader implements StoreImage.Sink {
    private static final long BATCH_BYTES = 4L << 20;
    private final RocksBackend backend;
    private WriteBatch batch = new WriteBatch();
    private long pending;

    ImageLoader(RocksBackend backend) {
      this.backend = backend;
    }

    @Override
    public void revision(Revision revision, boolean tombstone, byte[] keyValue) {
      byte[] key = revision.toKey(tombstone);
      backend.putRevision(batch, key, keyValue);
      added(key.length + keyValue.length);
    }

    @Override
    public void lease(LeaseRecord lease) {
      backend.putLease(batch, lease.key(), lease.value());
      added(24);
    }

    @Override
    public void record(String name, byte[] value) {
      backend.putMeta(batch, META_RECORD_PREFIX + name, value);
      added(value.length);
    }

    @Override
    public void revisions(long current, long compacted) {
      backend.putMeta(batch, META_REVISION, longBytes(Math.max(1, current)));
      if (compacted > 0) {
        backend.putMeta(batch, META_COMPACT, longBytes(compacted));
      } else {
        backend.deleteMeta(batch, META_COMPACT);
      }
      added(16);
    }

    private void added(long bytes) {
      pending += bytes;
      if (pending >= BATCH_BYTES) {
        flush();
      }
    }

    void flush() {
      try {
        backend.write(batch);
      } finally {
        batch.close();
      }
      batch = new WriteBatch();
      pending = 0;
    }
  }

  /** Rewrites the database files without deleted entries (etcd's defragment). */
  @Override
  public void defragment() {
    whileOpen(() -> {
      backend.compactAll();
      return null;
    });
  }

  @Override
  public KvHash hashKv(long revision) {
    return whileOpen(() -> {
      KvHasher hasher;
      long current;
      Snapshot snapshot;
      Lock l = stateLock.readLock();
      l.lock();
      try {
        current = currentRev;
        if (revision > 0 && revision < compactRev) {
          throw EtcdError.COMPACTED.exception();
        }
        if (revision > current) {
          throw EtcdError.FUTURE_REV.exception();
        }
        hasher = KvHasher.of(index, compactRev, revision == 0 ? current : revision);
        snapshot = backend.snapshot();
      } finally {
        l.unlock();
      }
      try {
        byte[] end = hasher.scanEnd();
        if (end != null) {
          backend.scanRevisions(null, end, snapshot, (key, value) -> {
            hasher.write(key, value);
            return true;
          });
        }
      } finally {
        backend.release(snapshot);
      }
      return hasher.result(current);
    });
  }

  @Override
  public long hash() {
    return whileOpen(() -> {
      Snapshot snapshot = appliedSnapshot();
      try {
        CRC32C crc = new CRC32C();
        backend.scanAll(snapshot, (family, key, value) -> {
          crc.update(family);
          crc.update(key);
          crc.update(value);
        });
        return crc.getValue();
      } finally {
        backend.release(snapshot);
      }
    });
  }

  @Override
  public byte[] record(String name) {
    return whileOpen(() -> backend.getMeta(META_RECORD_PREFIX + name));
  }

  @Override
  public boolean putRecord(long index, int part, String name, byte[] value) {
    return writeAtPosition(index, part, batch -> backend.putMeta(batch, META_RECORD_PREFIX + name, value));
  }

  /**
   * Writes what {@code fill} adds to a batch together with the applied position, unless the position was applied
   * already (a replay). For state outside the key space: no revision, no listeners.
   *
   * @return false for a replay: nothing was written
   */
  private boolean writeAtPosition(long index, int part, java.util.function.Consumer<WriteBatch> fill) {
    Position pos = new Position(index, part);
    Lock open = openLock.readLock();
    open.lock();
    try {
      ensureWritable();
      Lock l = stateLock.writeLock();
      l.lock();
      try {
        if (!pos.after(applied)) {
          return false;
        }
        try (WriteBatch batch = new WriteBatch()) {
          fill.accept(batch);
          backend.putMeta(batch, META_APPLIED, positionBytes(pos));
          write(batch);
        }
        applied = pos;
        return true;
      } finally {
        l.unlock();
      }
    } finally {
      open.unlock();
    }
  }

  @Override
  public long sizeOnDisk() {
    return whileOpen(backend::sizeOnDisk);
  }

  /**
   * Prepares a copy of another member's store (a restored snapshot) for a new Raft log: forgets the apply
   * position, so the new log's entries apply from its first one, and keeps everything else (revisions, the
   * compaction revision, leases and records but {@code droppedRecords}, which belong to the old cluster).
   * Call it on a closed store directory.
   */
  public static void forgetAppliedPosition(Path dir, StoreOptions options, String... droppedRecords) {
    RocksBackend backend = RocksBackend.open(dir, options);
    try (WriteBatch batch = new WriteBatch()) {
      backend.deleteMeta(batch, META_APPLIED);
      for (String record : droppedRecords) {
        backend.deleteMeta(batch, META_RECORD_PREFIX + record);
      }
      backend.write(batch);
      backend.compactAll();
    } finally {
      backend.close();
    }
  }

  @Override
  public long sizeInUse() {
    return whileOpen(backend::sizeInUse);
  }

  /** Number of keys with history in the index (live or not), for metrics and tests. */
  public int indexedKeys() {
    return whileOpen(() -> {
      Lock l = stateLock.readLock();
      l.lock();
      try {
        return index.size();
      } finally {
        l.unlock();
      }
    });
  }

  /** Number of revisions stored on disk (a full scan; diagnostics and tests). */
  public long storedRevisions() {
    return whileOpen(() -> {
      long[] n = {0};
      backend.scanRevisions(null, null, null, (k, v) -> {
        n[0]++;
        return true;
      });
      return n[0];
    });
  }

  @Override
  public void close() {
    Lock l = openLock.writeLock();
    l.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      compactor.close();
      backend.close();
      log.info("closed store at {} (revision {}, applied index {})", dir, currentRev, applied.completeIndex());
    } finally {
      l.unlock();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /**
   * A RocksDB snapshot taken with the apply thread kept out, so it matches one applied position; the caller
   * releases it.
   */
  private Snapshot appliedSnapshot() {
    Lock l = stateLock.readLock();
    l.lock();
    try {
      return backend.snapshot();
    } finally {
      l.unlock();
    }
  }

    private <T> T whileOpen(Supplier<T> action) {
    Lock l = openLock.readLock();
    l.lock();
    try {
      if (closed) {
        throw new StoreFailedException("store is closed");
      }
      return action.get();
    } finally {
      l.unlock();
    }
  }

  private void ensureWritable() {
    if (closed) {
      throw new StoreFailedException("store is closed");
    }
    StoreFailedException f = failure;
    if (f != null) {
      throw new StoreFailedException("store failed earlier: " + f.getMessage(), f);
    }
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static byte[] positionBytes(Position p) {
    return ByteBuffer.allocate(12).putLong(p.index()).putInt(p.part()).array();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    StoreFiles.deleteRecursively(dir);
  }

  private static void copyRecursively(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(d).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
