package io.keyway.raft.maintenance;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How etcd (3.4/3.5) lays its state out in its bbolt backend: the bucket and key names, and the byte forms of
 * lease ids, the auth flag and revision, for both directions. The key bucket's revision keys and values are
 * {@link io.keyway.store.mvcc.EtcdKeyBucket}'s, shared with HashKV.
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

  private EtcdLayout() {}

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
