package io.keyway.raft.maintenance;

import io.keyway.store.mvcc.Revision;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How etcd (3.4/3.5) lays its state out in its bbolt backend: the bucket and key names, and the byte forms of
 * revisions, lease ids, the auth flag and revision. The single place that knows them, for both directions.
 */
final class EtcdLayout {
  static final byte[] KEY = bytes("key");
  static final byte[] META = bytes("meta");
  static final byte[] LEASE = bytes("lease");
  static final byte[] AUTH = bytes("auth");
  static final byte[] AUTH_USERS = bytes("authUsers");
  static final byte[] AUTH_ROLES = bytes("authRoles");
  static final byte[] ALARM = bytes("alarm");
  static final byte[] MEMBERS = bytes("members");
  static final byte[] MEMBERS_REMOVED = bytes("members_removed");

  static final byte[] CONSISTENT_INDEX = bytes("consistent_index");
  static final byte[] FINISHED_COMPACT = bytes("finishedCompactRev");
  static final byte[] SCHEDULED_COMPACT = bytes("scheduledCompactRev");
  static final byte[] AUTH_ENABLED = bytes("authEnabled");
  static final byte[] AUTH_REVISION = bytes("authRevision");

  /** A revision key: main (8 bytes big-endian), '_', sub (8 bytes), and 't' for a tombstone. */
  static final int REVISION_BYTES = 17;
  private static final byte SEPARATOR = '_';
  private static final byte TOMBSTONE = 't';

  private EtcdLayout() {}

  static byte[] revisionKey(Revision revision, boolean tombstone) {
    ByteBuffer b = ByteBuffer.allocate(tombstone ? REVISION_BYTES + 1 : REVISION_BYTES);
    b.putLong(revision.main()).put(SEPARATOR).putLong(revision.sub());
    if (tombstone) {
      b.put(TOMBSTONE);
    }
    return b.array();
  }

  /** The revision of a revision key; null when {@code key} is none. */
  static Revision revision(byte[] key) {
    boolean plain = key.length == REVISION_BYTES;
    if (!(plain || isTombstone(key)) || key[8] != SEPARATOR) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(key);
    long main = b.getLong(0);
    long sub = b.getLong(9);
    return main < 0 || sub < 0 ? null : new Revision(main, sub);
  }

  static boolean isTombstone(byte[] key) {
    return key.length == REVISION_BYTES + 1 && key[REVISION_BYTES] == TOMBSTONE;
  }

  static byte[] int64(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  static long int64(byte[] bytes) {
    return ByteBuffer.wrap(bytes).getLong();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
