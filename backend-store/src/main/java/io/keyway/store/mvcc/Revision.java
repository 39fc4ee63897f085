package io.keyway.store.mvcc;

/**
 * A point in the store's history: {@code main} is the store revision of one atomic write, {@code sub} orders
 * the changes inside that write (a txn with N puts uses sub-revisions 0..N-1 of one main revision).
 *
 * <p>As a RocksDB key a revision is 16 bytes, {@code main} then {@code sub}, both big-endian, so the byte
 * order of keys is the revision order. A deletion (tombstone) appends one marker byte {@code 't'}: the
 * marked key sorts right after the unmarked one and no revision is ever written both ways.
 */
public record Revision(long main, long sub) implements Comparable<Revision> {
  public static final int BYTES = 16;
  public static final byte TOMBSTONE_MARK = 't';

  public Revision {
    if (main < 0 || sub < 0) {
      throw new IllegalArgumentException("negative revision " + main + "/" + sub);
    }
  }

  /** The RocksDB key under which this revision's KeyValue is stored. */
  public byte[] toKey(boolean tombstone) {
    byte[] out = new byte[tombstone ? BYTES + 1 : BYTES];
    putLong(out, 0, main);
    putLong(out, 8, sub);
    if (tombstone) {
      out[BYTES] = TOMBSTONE_MARK;
    }
    return out;
  }

  /** The smallest key of all revisions with this main revision. */
  public static byte[] firstKeyOf(long main) {
    return new Revision(main, 0).toKey(false);
  }

  public static Revision fromKey(byte[] key) {
    if (key.length != BYTES && !(key.length == BYTES + 1 && key[BYTES] == TOMBSTONE_MARK)) {
      throw new IllegalArgumentException("not a revision key (" + key.length + " bytes)");
    }
    return new Revision(getLong(key, 0), getLong(key, 8));
  }

  public static boolean isTombstoneKey(byte[] key) {
    return key.length == BYTES + 1 && key[BYTES] == TOMBSTONE_MARK;
  }

  @Override
  public int compareTo(Revision o) {
    int c = Long.compare(main, o.main);
    return c != 0 ? c : Long.compare(sub, o.sub);
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xffL);
    }
    return v;
  }
}
