package io.keyway.store.bolt;

import static io.keyway.store.bolt.BoltReader.BRANCH;
import static io.keyway.store.bolt.BoltReader.BUCKET_FLAG;
import static io.keyway.store.bolt.BoltReader.BUCKET_HEADER;
import static io.keyway.store.bolt.BoltReader.ELEMENT;
import static io.keyway.store.bolt.BoltReader.FREELIST;
import static io.keyway.store.bolt.BoltReader.LEAF;
import static io.keyway.store.bolt.BoltReader.MAGIC;
import static io.keyway.store.bolt.BoltReader.META;
import static io.keyway.store.bolt.BoltReader.META_CHECKSUMMED;
import static io.keyway.store.bolt.BoltReader.PAGE_HEADER;
import static io.keyway.store.bolt.BoltReader.VERSION;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a new bbolt database file in one pass: the top-level buckets one after the other, each with its keys
 * in increasing order. Leaf pages are written as they fill up, so only one page of entries and the first key of
 * every page are held in memory; a bucket small enough is stored inline, as bbolt does. The result is a
 * compact database every page of which is in use (bbolt's consistency check finds no unreachable page): the
 * pages of the buckets, the root bucket's page, an empty freelist page, and the two meta pages at the front.
 */
public final class BoltWriter {
  public static final int DEFAULT_PAGE_SIZE = 4096;

  private final FileChannel out;
  private final int pageSize;
  private final List<Element> buckets = new ArrayList<>();
  private long nextPage = 2;
  private byte[] openName;
  private Tree open;
  private boolean finished;

  /** @param out an empty file, written from position 0 */
  public BoltWriter(FileChannel out) {
    this(out, DEFAULT_PAGE_SIZE);
  }

  public BoltWriter(FileChannel out, int pageSize) {
    if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException("page size " + pageSize);
    }
    this.out = out;
    this.pageSize = pageSize;
  }

  /** Starts the top-level bucket {@code name}; the previous one must be ended. Names may come in any order. */
  public void beginBucket(byte[] name) {
    if (open != null || finished) {
      throw new IllegalStateException("bucket " + new String(openName) + " is still open or the file is done");
    }
    for (Element b : buckets) {
      if (Arrays.equals(b.key, name)) {
        throw new IllegalArgumentException("bucket " + new String(name) + " written twice");
      }
    }
    openName = name.clone();
    open = new Tree();
  }

  /** Adds a key to the open bucket; keys must come in strictly increasing (unsigned byte) order. */
  public void put(byte[] key, byte[] value) throws IOException {
    if (open == null) {
      throw new IllegalStateException("no open bucket");
    }
    if (key.length == 0) {
      throw new IllegalArgumentException("empty key");
    }
    open.add(new Element(0, key, value));
  }

  public void endBucket() throws IOException {
    if (open == null) {
      throw new IllegalStateException("no open bucket");
    }
    buckets.add(new Element(BUCKET_FLAG, openName, open.finish(true)));
    open = null;
    openName = null;
  }

  /** Writes the root bucket, the freelist and the meta pages; returns the database's size in bytes. */
  public long finish() throws IOException {
    if (open != null) {
      endBucket();
    }
    if (finished) {
      throw new IllegalStateException("finished already");
    }
    finished = true;
    Tree root = new Tree();
    List<Element> sorted = new ArrayList<>(buckets);
    sorted.sort(Comparator.comparing((Element e) -> e.key, Arrays::compareUnsigned));
    for (Element b : sorted) {
      root.add(b);
    }
    long rootPage = ByteBuffer.wrap(root.finish(false)).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    long freelist = nextPage++;
    ByteBuffer free = page(freelist, FREELIST, 0, pageSize);
    write(free, freelist);
    for (int id = 0; id < 2; id++) {
      ByteBuffer meta = page(id, META, 0, pageSize);
      meta.putInt(PAGE_HEADER, MAGIC)
          .putInt(PAGE_HEADER + 4, VERSION)
          .putInt(PAGE_HEADER + 8, pageSize)
          .putInt(PAGE_HEADER + 12, 0)
          .putLong(PAGE_HEADER + 16, rootPage)
          .putLong(PAGE_HEADER + 24, 0)
          .putLong(PAGE_HEADER + 32, freelist)
          .putLong(PAGE_HEADER + 40, nextPage)
          .putLong(PAGE_HEADER + 48, id); // bbolt writes transaction t's meta to page t % 2
      meta.putLong(PAGE_HEADER + META_CHECKSUMMED, BoltReader.fnv64a(meta, PAGE_HEADER, META_CHECKSUMMED));
      write(meta, id);
    }
    return nextPage * pageSize;
  }

  private record Element(int flags, byte[] key, byte[] value) {}

  /** A child page of a branch page, named by its first key. */
  private record Child(byte[] firstKey, long page) {}

  /** One bucket's B+tree, built bottom-up from keys in order. */
  private final class Tree {
    private final List<Element> leaf = new ArrayList<>();
    private final List<Child> children = new ArrayList<>();
    private long leafBytes = PAGE_HEADER;
    private byte[] lastKey;

    void add(Element e) throws IOException {
      if (lastKey != null && Arrays.compareUnsigned(lastKey, e.key) >= 0) {
        throw new IllegalArgumentException("keys out of order in bucket");
      }
      lastKey = e.key;
      long size = (long) ELEMENT + e.key.length + e.value.length;
      if (!leaf.isEmpty() && leafBytes + size > pageSize) {
        flushLeaf();
      }
      leaf.add(e);
      leafBytes += size;
    }

    /** Returns the bucket's value: its header, with the leaf page inline when allowed and small enough. */
    byte[] finish(boolean inlineAllowed) throws IOException {
      ByteBuffer header = ByteBuffer.allocate(BUCKET_HEADER).order(ByteOrder.LITTLE_ENDIAN);
      if (inlineAllowed && children.isEmpty() && leafBytes <= pageSize / 4) {
        ByteBuffer page = leafPage(0, (int) leafBytes);
        ByteBuffer value = ByteBuffer.allocate(BUCKET_HEADER + page.capacity());
        value.put(header).put(page);
        return value.array();
      }
      flushLeaf();
      List<Child> level = children;
      while (level.size() > 1) {
        level = branchLevel(level);
      }
      return header.putLong(0, level.get(0).page).array();
    }

    private void flushLeaf() throws IOException {
      if (leaf.isEmpty() && !children.isEmpty()) {
        return;
      }
      long id = nextPage;
      ByteBuffer page = leafPage(id, pages(leafBytes) * pageSize);
      nextPage += pages(leafBytes);
      write(page, id);
      children.add(new Child(leaf.isEmpty() ? new byte[0] : leaf.get(0).key, id));
      leaf.clear();
      leafBytes = PAGE_HEADER;
    }

    private ByteBuffer leafPage(long id, int capacity) {
      ByteBuffer page = page(id, LEAF, leaf.size(), capacity);
      int data = PAGE_HEADER + leaf.size() * ELEMENT;
      for (int i = 0; i < leaf.size(); i++) {
        Element e = leaf.get(i);
        int at = PAGE_HEADER + i * ELEMENT;
        page.putInt(at, e.flags).putInt(at + 4, data - at).putInt(at + 8, e.key.length)
            .putInt(at + 12, e.value.length);
        page.put(data, e.key).put(data + e.key.length, e.value);
        data += e.key.length + e.value.length;
      }
      return page;
    }

    /** Writes the branch pages over {@code level}; returns the level above. */
    private List<Child> branchLevel(List<Child> level) throws IOException {
      List<Child> above = new ArrayList<>();
      int start = 0;
      while (start < level.size()) {
        long bytes = PAGE_HEADER;
        int end = start;
        while (end < level.size()
            && (end == start || bytes + ELEMENT + level.get(end).firstKey.length <= pageSize)) {
          bytes += ELEMENT + level.get(end).firstKey.length;
          end++;
        }
        long id = nextPage;
        int count = end - start;
        ByteBuffer page = page(id, BRANCH, count, pages(bytes) * pageSize);
        int data = PAGE_HEADER + count * ELEMENT;
        for (int i = 0; i < count; i++) {
          Child c = level.get(start + i);
          int at = PAGE_HEADER + i * ELEMENT;
          page.putInt(at, data - at).putInt(at + 4, c.firstKey.length).putLong(at + 8, c.page);
          page.put(data, c.firstKey);
          data += c.firstKey.length;
        }
        nextPage += pages(bytes);
        write(page, id);
        above.add(new Child(level.get(start).firstKey, id));
        start = end;
      }
      return above;
    }
  }

  private int pages(long bytes) {
    long n = (bytes + pageSize - 1) / pageSize;
    if (n * pageSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("page of " + bytes + " bytes is too large");
    }
    return (int) n;
  }

  private ByteBuffer page(long id, int flags, int count, int capacity) {
    if (count > 0xffff) {
      throw new IllegalStateException("page with " + count + " elements");
    }
    ByteBuffer page = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    page.putLong(0, id).putShort(8, (short) flags).putShort(10, (short) count)
        .putInt(12, Math.max(0, capacity / pageSize - 1));
    return page;
  }

  private void write(ByteBuffer page, long id) throws IOException {
    page.position(0).limit(page.capacity());
    long position = id * pageSize;
    while (page.hasRemaining()) {
      position += out.write(page, position);
    }
  }
}
