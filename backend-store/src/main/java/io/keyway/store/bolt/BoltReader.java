package io.keyway.store.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a bbolt database file (see the package description for the format), read-only and page by page, so a
 * database of any size is walked with a few pages in memory. Every structure is checked against the file's
 * bounds (page ids below the high-water mark, elements inside their page, keys in strictly increasing order),
 * and a violation is reported as a {@link BoltFormatException} naming the page, never as a wrong answer.
 */
public final class BoltReader implements AutoCloseable {
  static final int MAGIC = 0xED0CDAED;
  static final int VERSION = 2;
  static final int PAGE_HEADER = 16;
  static final int ELEMENT = 16;
  static final int BUCKET_HEADER = 16;
  static final int META_CHECKSUMMED = 56;
  static final int BRANCH = 0x01;
  static final int LEAF = 0x02;
  static final int META = 0x04;
  static final int FREELIST = 0x10;
  static final int BUCKET_FLAG = 0x01;
  private static final int MAX_DEPTH = 64;
  private static final int[] PAGE_SIZES = {4096, 8192, 16384, 32768, 65536, 1024, 2048};

  private final FileChannel file;
  private final long length;
  private final int pageSize;
  private final long highWater;
  private final long txid;
  private final long rootPage;

  /** What a bucket walk hands over: one key with its value, or with the nested bucket it names. */
  @FunctionalInterface
  public interface EntryVisitor {
    void visit(byte[] key, byte[] value, boolean bucket) throws IOException;
  }

  private BoltReader(FileChannel file, long length) throws IOException {
    this.file = file;
    this.length = length;
    ByteBuffer meta = chooseMeta();
    pageSize = meta.getInt(PAGE_HEADER + 8);
    rootPage = meta.getLong(PAGE_HEADER + 16);
    highWater = meta.getLong(PAGE_HEADER + 40);
    txid = meta.getLong(PAGE_HEADER + 48);
    if (highWater < 2 || rootPage < 2 || rootPage >= highWater) {
      throw new BoltFormatException("invalid database: root page " + rootPage + " outside the file's "
          + highWater + " pages");
    }
    if (highWater > length / pageSize) {
      throw new BoltFormatException("truncated database: it has " + highWater + " pages of " + pageSize
          + " bytes but the file holds " + length + " bytes");
    }
  }

  /**
   * Opens the first {@code length} bytes of {@code path} (the rest, e.g. a snapshot's SHA-256 trailer, is not
   * part of the database).
   */
  public static BoltReader open(Path path, long length) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new BoltReader(channel, Math.min(length, channel.size()));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Whether {@code head} (the file's first bytes, at least 24) starts like a bbolt database. */
  public static boolean looksLikeBolt(byte[] head) {
    return head.length >= PAGE_HEADER + 8
        && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(PAGE_HEADER) == MAGIC;
  }

  public int pageSize() { return pageSize; }

  public long transactionId() { return txid; }

  /** The database's size as bbolt's {@code Tx.Size()} reports it: high-water page id times page size. */
  public long size() { return highWater * pageSize; }

  /** The root bucket, whose entries are the top-level buckets. */
  public Bucket root() {
    return new Bucket(rootPage, null);
  }

  /** The top-level bucket {@code name}, or null. */
  public Bucket bucket(byte[] name) throws IOException {
    return root().bucket(name);
  }

  /** One bucket: a tree rooted at a page, or a single inline leaf page. */
  public final class Bucket {
    private final long root;
    private final ByteBuffer inline;

    private Bucket(long root, ByteBuffer inline) {
      this.root = root;
      this.inline = inline;
    }

    /** Calls {@code visitor} for every entry, in key order. */
    public void forEach(EntryVisitor visitor) throws IOException {
      if (inline != null) {
        walk(inline, -1, 0, visitor);
        return;
      }
      // pages checked one by one could still be linked out of order (or twice): keys must rise across them too
      byte[][] last = {null};
      walk(readPage(root), root, 0, (key, value, bucket) -> {
        if (last[0] != null && Arrays.compareUnsigned(last[0], key) >= 0) {
          throw new BoltFormatException("corrupt database: keys out of order across the pages of the bucket at page "
              + root);
        }
        last[0] = key;
        visitor.visit(key, value, bucket);
      });
    }

    /** The nested bucket {@code name}, or null (also when {@code name} is a plain key). */
    public Bucket bucket(byte[] name) throws IOException {
      Bucket[] found = {null};
      forEach((k, v, isBucket) -> {
        if (isBucket && Arrays.equals(k, name)) {
          found[0] = nested(v);
        }
      });
      return found[0];
    }

    /** The nested bucket whose header {@code value} is (the value of an entry reported as a bucket). */
    public Bucket nested(byte[] value) throws BoltFormatException {
      if (value.length < BUCKET_HEADER) {
        throw new BoltFormatException("corrupt database: bucket header of " + value.length + " bytes");
      }
      ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
      long page = v.getLong(0);
      if (page != 0) {
        checkPageId(page, "bucket root");
        return new Bucket(page, null);
      }
      if (value.length < BUCKET_HEADER + PAGE_HEADER) {
        throw new BoltFormatException("corrupt database: inline bucket of " + value.length + " bytes");
      }
      return new Bucket(0, ByteBuffer.wrap(value, BUCKET_HEADER, value.length - BUCKET_HEADER).slice()
          .order(ByteOrder.LITTLE_ENDIAN));
    }
  }

  /** Walks the tree under {@code page} (page id {@code id}, -1 for an inline page) in key order. */
  private void walk(ByteBuffer page, long id, int depth, EntryVisitor visitor) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new BoltFormatException("corrupt database: tree deeper than " + MAX_DEPTH + " pages at page " + id);
    }
    int flags = page.getShort(8) & 0xffff;
    int count = page.getShort(10) & 0xffff;
    String where = id < 0 ? "inline page" : "page " + id;
    if (PAGE_HEADER + (long) count * ELEMENT > page.capacity()) {
      throw new BoltFormatException("corrupt database: " + where + " claims " + count + " elements");
    }
    byte[] previous = null;
    for (int i = 0; i < count; i++) {
      int element = PAGE_HEADER + i * ELEMENT;
      byte[] key;
      if (flags == LEAF) {
        int elementFlags = page.getInt(element);
        long keyStart = element + Integer.toUnsignedLong(page.getInt(element + 4));
        long keySize = Integer.toUnsignedLong(page.getInt(element + 8));
        long valueSize = Integer.toUnsignedLong(page.getInt(element + 12));
        if (keyStart + keySize + valueSize > page.capacity()) {
          throw new BoltFormatException("corrupt database: element " + i + " of " + where
              + " extends beyond the page");
        }
        key = bytes(page, (int) keyStart, (int) keySize);
        checkOrder(previous, key, where);
        byte[] value = bytes(page, (int) (keyStart + keySize), (int) valueSize);
        visitor.visit(key, value, (elementFlags & BUCKET_FLAG) != 0);
      } else if (flags == BRANCH && id >= 0) {
        long keyStart = element + Integer.toUnsignedLong(page.getInt(element));
        long keySize = Integer.toUnsignedLong(page.getInt(element + 4));
        long child = page.getLong(element + 8);
        if (keyStart + keySize > page.capacity()) {
          throw new BoltFormatException("corrupt database: element " + i + " of " + where
              + " extends beyond the page");
        }
        key = bytes(page, (int) keyStart, (int) keySize);
        checkOrder(previous, key, where);
        checkPageId(child, "child of page " + id);
        walk(readPage(child), child, depth + 1, visitor);
      } else {
        throw new BoltFormatException("corrupt database: " + where + " has flags 0x" + Integer.toHexString(flags)
            + ", expected a " + (id < 0 ? "leaf" : "branch or leaf") + " page");
      }
      previous = key;
    }
  }

  private static void checkOrder(byte[] previous, byte[] key, String where) throws BoltFormatException {
    if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
      throw new BoltFormatException("corrupt database: keys out of order in " + where);
    }
  }

  private static byte[] bytes(ByteBuffer page, int offset, int size) {
    byte[] out = new byte[size];
    page.get(offset, out);
    return out;
  }

  private void checkPageId(long id, String what) throws BoltFormatException {
    if (id < 2 || id >= highWater) {
      throw new BoltFormatException("corrupt database: " + what + " is page " + id + ", outside pages 2.."
          + (highWater - 1));
    }
  }

  /** Reads page {@code id} with its overflow pages. */
  private ByteBuffer readPage(long id) throws IOException {
    ByteBuffer first = read(id * pageSize, pageSize);
    long storedId = first.getLong(0);
    if (storedId != id) {
      throw new BoltFormatException("corrupt database: page " + id + " identifies itself as page " + storedId);
    }
    long overflow = Integer.toUnsignedLong(first.getInt(12));
    if (overflow == 0) {
      return first;
    }
    if (id + overflow >= highWater || (overflow + 1) * pageSize > Integer.MAX_VALUE) {
      throw new BoltFormatException("corrupt database: page " + id + " overflows by " + overflow + " pages");
    }
    return read(id * pageSize, (int) ((overflow + 1) * pageSize));
  }

  private ByteBuffer read(long offset, int size) throws IOException {
    if (offset + size > length) {
      throw new BoltFormatException("truncated database: " + size + " bytes at offset " + offset
          + " are beyond its end (" + length + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (file.read(buf, offset + buf.position()) < 0) {
        throw new BoltFormatException("truncated database at offset " + (offset + buf.position()));
      }
    }
    return buf.flip();
  }

  /** bbolt's rule: the valid meta page with the higher transaction id. */
  private ByteBuffer chooseMeta() throws IOException {
    if (length < PAGE_HEADER + 64) {
      throw new BoltFormatException("invalid database: the file is too short (" + length + " bytes)");
    }
    ByteBuffer meta0 = read(0, (int) Math.min(length, PAGE_HEADER + 64));
    String problem0 = metaProblem(meta0);
    int[] sizes = problem0 == null ? new int[] {meta0.getInt(PAGE_HEADER + 8)} : PAGE_SIZES;
    ByteBuffer best = problem0 == null ? meta0 : null;
    for (int size : sizes) {
      if (length < size + PAGE_HEADER + 64) {
        continue;
      }
      ByteBuffer meta1 = read(size, PAGE_HEADER + 64);
      if (metaProblem(meta1) == null && meta1.getInt(PAGE_HEADER + 8) == size
          && (best == null || Long.compareUnsigned(meta1.getLong(PAGE_HEADER + 48),
          best.getLong(PAGE_HEADER + 48)) > 0)) {
        best = meta1;
        break;
      }
    }
    if (best == null) {
      throw new BoltFormatException(problem0);
    }
    return best;
  }

  private static String metaProblem(ByteBuffer page) {
    if (page.getInt(PAGE_HEADER) != MAGIC) {
      return "invalid database: no bbolt meta page";
    }
    if (page.getInt(PAGE_HEADER + 4) != VERSION) {
      return "version mismatch: bbolt database version " + page.getInt(PAGE_HEADER + 4) + ", expected " + VERSION;
    }
    if ((page.getShort(8) & 0xffff) != META) {
      return "invalid database: a meta page has the wrong type";
    }
    if (page.getLong(PAGE_HEADER + META_CHECKSUMMED) != fnv64a(page, PAGE_HEADER, META_CHECKSUMMED)) {
      return "checksum error: the bbolt meta page is damaged";
    }
    int size = page.getInt(PAGE_HEADER + 8);
    if (size < 512 || Integer.bitCount(size) != 1) {
      return "invalid database: page size " + size;
    }
    return null;
  }

  /** FNV-1a, 64 bits: the meta page checksum. */
  static long fnv64a(ByteBuffer buf, int offset, int length) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < length; i++) {
      hash ^= buf.get(offset + i) & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
