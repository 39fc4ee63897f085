package io.keyway.store.mvcc;

import com.google.protobuf.ByteString;

/**
 * The keys a request addresses, after etcd's {@code range_end} conventions: an empty {@code range_end} is
 * the single key, {@code "\0"} means every key {@code >= key}, anything else is the half-open interval
 * {@code [key, range_end)} (empty when {@code key >= range_end}). Keys compare as unsigned bytes.
 */
public final class KeyRange {
  private static final ByteString GTE_MARK = ByteString.copyFrom(new byte[] {0});

  public enum Kind { SINGLE, FROM, BOUNDED }

  private final ByteString key;
  private final ByteString end;
  private final Kind kind;

  private KeyRange(ByteString key, ByteString end, Kind kind) {
    this.key = key;
    this.end = end;
    this.kind = kind;
  }

  public static KeyRange of(ByteString key, ByteString rangeEnd) {
    if (rangeEnd.isEmpty()) {
      return new KeyRange(key, ByteString.EMPTY, Kind.SINGLE);
    }
    if (rangeEnd.equals(GTE_MARK)) {
      return new KeyRange(key, ByteString.EMPTY, Kind.FROM);
    }
    return new KeyRange(key, rangeEnd, Kind.BOUNDED);
  }

  public static KeyRange single(ByteString key) {
    return new KeyRange(key, ByteString.EMPTY, Kind.SINGLE);
  }

  public ByteString key() { return key; }

  /** Exclusive upper bound; only meaningful for {@link Kind#BOUNDED}. */
  public ByteString end() { return end; }

  public Kind kind() { return kind; }

  public boolean contains(ByteString k) {
    int c = compare(k, key);
    return switch (kind) {
      case SINGLE -> c == 0;
      case FROM -> c >= 0;
      case BOUNDED -> c >= 0 && compare(k, end) < 0;
    };
  }

  public static int compare(ByteString a, ByteString b) {
    return ByteString.unsignedLexicographicalComparator().compare(a, b);
  }

  @Override
  public String toString() {
    return kind + "[" + key.toStringUtf8() + (kind == Kind.BOUNDED ? ", " + end.toStringUtf8() : "") + ")";
  }
}
