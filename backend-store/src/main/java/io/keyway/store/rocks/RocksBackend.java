package io.keyway.store.rocks;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.store.StoreFailedException;
import io.keyway.store.StoreOptions;
import io.keyway.store.mvcc.Revision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LogFile;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB database behind the store: column family {@code revisions} maps a {@link Revision} key to a
 * serialized {@code mvccpb.KeyValue}; column family {@code meta} holds the applied position and the
 * revision counters; column family {@code leases} maps a lease id (8 bytes, big-endian) to its record.
 * Thin on purpose: it knows bytes and column families, not MVCC or lease rules.
 */
public final class RocksBackend implements AutoCloseable {
  static {
    RocksNativeLibrary.load();
  }

  private static final byte[] REVISIONS = "revisions".getBytes(StandardCharsets.UTF_8);
  private static final byte[] META = "meta".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LEASES = "leases".getBytes(StandardCharsets.UTF_8);

  private final Path dir;
  private final LRUCache cache;
  private final BloomFilter bloom;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions revisionOptions;
  private final ColumnFamilyOptions metaOptions;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle revisions;
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle leases;

  private RocksBackend(Path dir, StoreOptions options) throws RocksDBException {
    this.dir = dir;
    cache = new LRUCache(options.blockCacheBytes());
    bloom = new BloomFilter(10);
    dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2)
        // bounds the WAL: the tiny meta column family would otherwise pin old WAL files until it flushes
        .setMaxTotalWalSize(256L << 20)
        .setKeepLogFileNum(5);
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(cache)
        .setFilterPolicy(bloom)
        .setBlockSize(16 * 1024);
    // revision keys are appended in increasing order and read by exact key or by short scans
    revisionOptions = new ColumnFamilyOptions()
        .setWriteBufferSize(options.writeBufferBytes())
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(table);
    metaOptions = new ColumnFamilyOptions().setWriteBufferSize(1 << 20);
    writeOptions = new WriteOptions().setSync(options.syncWrites()).setDisableWAL(false);

    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, metaOptions),
        new ColumnFamilyDescriptor(REVISIONS, revisionOptions),
        new ColumnFamilyDescriptor(META, metaOptions),
        // created on first open by a version that knows leases (create-missing-column-families)
        new ColumnFamilyDescriptor(LEASES, metaOptions));
    handles = new ArrayList<>();
    db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    revisions = handles.get(1);
    meta = handles.get(2);
    leases = handles.get(3);
  }

  public static RocksBackend open(Path dir, StoreOptions options) {
    try {
      Files.createDirectories(dir);
      return new RocksBackend(dir, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RocksDBException e) {
      throw new StoreFailedException("cannot open store at " + dir + ": " + e.getMessage(), e);
    }
  }

  public Path dir() { return dir; }

  // ---- reads ---------------------------------------------------------------------------------------------

  /** Values of {@code revs} (puts) as of {@code snapshot} (null: latest). */
  public List<KeyValue> load(List<Revision> revs, Snapshot snapshot) {
    if (revs.isEmpty()) {
      return List.of();
    }
    List<byte[]> keys = new ArrayList<>(revs.size());
    for (Revision r : revs) {
      keys.add(r.toKey(false));
    }
    try (ReadOptions ro = readOptions(snapshot)) {
      List<byte[]> values = db.multiGetAsList(ro, Collections.nCopies(keys.size(), revisions), keys);
      List<KeyValue> out = new ArrayList<>(values.size());
      for (int i = 0; i < values.size(); i++) {
        byte[] v = values.get(i);
        if (v == null) {
          throw new StoreFailedException("revision " + revs.get(i) + " is missing from the store");
        }
        out.add(KeyValue.parseFrom(v));
      }
      return out;
    } catch (RocksDBException e) {
      throw new StoreFailedException("read failed: " + e.getMessage(), e);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreFailedException("corrupt KeyValue: " + e.getMessage(), e);
    }
  }

  /** Calls {@code visitor} for each revision key in [from, toExclusive) (null: unbounded) until it returns false. */
  public void scanRevisions(byte[] from, byte[] toExclusive, Snapshot snapshot, RevisionVisitor visitor) {
    try (ReadOptions ro = readOptions(snapshot); RocksIterator it = db.newIterator(revisions, ro)) {
      if (from == null) {
        it.seekToFirst();
      } else {
        it.seek(from);
      }
      for (; it.isValid(); it.next()) {
        byte[] key = it.key();
        if (toExclusive != null && java.util.Arrays.compareUnsigned(key, toExclusive) >= 0) {
          break;
        }
        if (!visitor.visit(key, it.value())) {
          break;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreFailedException("scan failed: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  public interface RevisionVisitor {
    boolean visit(byte[] key, byte[] value);
  }

  public byte[] getMeta(String name) {
    return getMeta(name, null);
  }

  /** A meta entry as of {@code snapshot} (null: latest). */
  public byte[] getMeta(String name, Snapshot snapshot) {
    try (ReadOptions ro = readOptions(snapshot)) {
      return db.get(meta, ro, name.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw new StoreFailedException("meta read failed: " + e.getMessage(), e);
    }
  }

  /** Calls {@code visitor} with every lease record, in id order (unsigned bytes), until it returns false. */
  public void scanLeases(RevisionVisitor visitor) {
    scanLeases(null, visitor);
  }

  /** {@link #scanLeases(RevisionVisitor)} as of {@code snapshot} (null: latest). */
  public void scanLeases(Snapshot snapshot, RevisionVisitor visitor) {
    try (ReadOptions ro = readOptions(snapshot); RocksIterator it = db.newIterator(leases, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (!visitor.visit(it.key(), it.value())) {
          break;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreFailedException("lease scan failed: " + e.getMessage(), e);
    }
  }

  /** What {@link #scanAll} hands over: one entry of one column family. */
  @FunctionalInterface
  public interface EntryVisitor {
    void visit(byte[] columnFamily, byte[] key, byte[] value);
  }

  /**
   * Calls {@code visitor} with every entry of every column family as of {@code snapshot}: column families in a
   * fixed order (revisions, meta, leases), keys in order within each. For whole-store hashes.
   */
  public void scanAll(Snapshot snapshot, EntryVisitor visitor) {
    byte[][] names = {REVISIONS, META, LEASES};
    ColumnFamilyHandle[] families = {revisions, meta, leases};
    for (int i = 0; i < families.length; i++) {
      try (ReadOptions ro = readOptions(snapshot); RocksIterator it = db.newIterator(families[i], ro)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          visitor.visit(names[i], it.key(), it.value());
        }
        it.status();
      } catch (RocksDBException e) {
        throw new StoreFailedException("scan failed: " + e.getMessage(), e);
      }
    }
  }

  public Snapshot snapshot() {
    return db.getSnapshot();
  }

  /** Whether {@code name} is one of the column families {@link #scanAll} reports. */
  boolean hasFamily(byte[] name) {
    return family(name) != null;
  }

  /** Adds an entry of the named column family (as {@link #scanAll} names them) to {@code batch}. */
  void put(WriteBatch batch, byte[] family, byte[] key, byte[] value) {
    try {
      batch.put(family(family), key, value);
    } catch (RocksDBException e) {
      throw new StoreFailedException("batch put failed: " + e.getMessage(), e);
    }
  }

  private ColumnFamilyHandle family(byte[] name) {
    if (java.util.Arrays.equals(name, REVISIONS)) {
      return revisions;
    }
    if (java.util.Arrays.equals(name, META)) {
      return meta;
    }
    return java.util.Arrays.equals(name, LEASES) ? leases : null;
  }

  public void release(Snapshot snapshot) {
    if (snapshot != null) {
      db.releaseSnapshot(snapshot);
    }
  }

  // ---- writes --------------------------------------------------------------------------------------------

  public void putRevision(WriteBatch batch, byte[] key, byte[] value) {
    try {
      batch.put(revisions, key, value);
    } catch (RocksDBException e) {
      throw new StoreFailedException("batch put failed: " + e.getMessage(), e);
    }
  }

  public void deleteRevision(WriteBatch batch, byte[] key) {
    try {
      batch.delete(revisions, key);
    } catch (RocksDBException e) {
      throw new StoreFailedException("batch delete failed: " + e.getMessage(), e);
    }
  }

  public void putMeta(WriteBatch batch, String name, byte[] value) {
    try {
      batch.put(meta, name.getBytes(StandardCharsets.UTF_8), value);
    } catch (RocksDBException e) {
      throw new StoreFailedException("batch put failed: " + e.getMessage(), e);
    }
  }

  public void deleteMeta(WriteBatch batch, String name) {
    try {
      batch.delete(meta, name.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw new StoreFailedException("batch delete failed: " + e.getMessage(), e);
    }
  }

  public void putLease(WriteBatch batch, byte[] key, byte[] value) {
    try {
      batch.put(leases, key, value);
    } catch (RocksDBException e) {
      throw new StoreFailedException("batch put failed: " + e.getMessage(), e);
    }
  }

  public void deleteLease(WriteBatch batch, byte[] key) {
    try {
      batch.delete(leases, key);
    } catch (RocksDBException e) {
      throw new StoreFailedException("batch delete failed: " + e.getMessage(), e);
    }
  }

  /** Commits {@code batch} atomically, through the WAL. */
  public void write(WriteBatch batch) {
    try {
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StoreFailedException("write failed: " + e.getMessage(), e);
    }
  }

  // ---- maintenance ---------------------------------------------------------------------------------------

  /** A consistent copy of the database in {@code target} (hard links where possible). */
  public void checkpoint(Path target) {
    try (Checkpoint cp = Checkpoint.create(db)) {
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new StoreFailedException("checkpoint to " + target + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Rewrites every column family, dropping deleted entries for good, then flushes the memtables so the
   * write-ahead log they kept alive can be deleted: afterwards {@link #sizeOnDisk} only counts live data.
   */
  public void compactAll() {
    try (CompactRangeOptions o = new CompactRangeOptions();
        FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.compactRange(revisions, null, null, o);
      db.compactRange(meta, null, null, o);
      db.compactRange(leases, null, null, o);
      db.flush(flush, handles);
    } catch (RocksDBException e) {
      throw new StoreFailedException("compaction failed: " + e.getMessage(), e);
    }
  }

  /**
   * The database's size on disk as etcd's quota sees a bolt file's: the SST files of every column family plus
   * the write-ahead log (which holds what the memtables have not flushed yet). RocksDB's info logs and
   * options files are not data and are left out. Cheap (no directory walk), so it can be checked per write.
   */
  public long sizeOnDisk() {
    long size = 0;
    try {
      for (ColumnFamilyHandle h : handles) {
        size += db.getLongProperty(h, "rocksdb.total-sst-files-size");
      }
      for (LogFile wal : db.getSortedWalFiles()) {
        size += wal.sizeFileBytes();
      }
    } catch (RocksDBException e) {
      throw new StoreFailedException("size query failed: " + e.getMessage(), e);
    }
    return size;
  }

  /**
   * The part of {@link #sizeOnDisk} that holds live data (etcd's dbSizeInUse): RocksDB's estimate of the live
   * data in SST files (without overwritten and deleted entries compaction has not dropped yet) plus the
   * memtables' data, capped by the size on disk.
   */
  public long sizeInUse() {
    long size = 0;
    try {
      for (ColumnFamilyHandle h : handles) {
        size += db.getLongProperty(h, "rocksdb.estimate-live-data-size");
        size += db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
      }
    } catch (RocksDBException e) {
      throw new StoreFailedException("size query failed: " + e.getMessage(), e);
    }
    return Math.min(size, sizeOnDisk());
  }

  @Override
  public void close() {
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      // closing anyway; the Raft log replays whatever the WAL lost
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    revisionOptions.close();
    metaOptions.close();
    dbOptions.close();
    bloom.close();
    cache.close();
  }

  private static ReadOptions readOptions(Snapshot snapshot) {
    ReadOptions ro = new ReadOptions();
    if (snapshot != null) {
      ro.setSnapshot(snapshot);
    }
    return ro;
  }
}
