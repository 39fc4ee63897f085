package io.keyway.raft.maintenance;

import io.keyway.store.mvcc.EtcdKeyBucket;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.authpb.Role;
import io.keyway.api.authpb.User;
import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmResponse;
import io.keyway.api.leasepb.Lease;
import io.keyway.api.raftpb.AuthState;
import io.keyway.store.LeaseRecord;
import io.keyway.store.StoreFailedException;
import io.keyway.store.StoreImage;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.bolt.BoltWriter;
import io.keyway.store.mvcc.Revision;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a store image as the bbolt backend etcd would hold for the same state, with etcd's buckets and key
 * encodings: what the Maintenance Snapshot RPC streams, so that {@code etcdctl snapshot status} reads it and
 * {@code etcdctl snapshot restore} starts a real etcd member on it. The {@code members} buckets are left empty:
 * a restore rebuilds membership from its flags.
 */
final class EtcdSnapshotExport {
  private EtcdSnapshotExport() {}

  /** Writes {@code image} into the empty file {@code out}; returns the database's size. */
  static long write(StoreImage image, FileChannel out) throws IOException {
    BoltWriter db = new BoltWriter(out);
    db.beginBucket(EtcdLayout.KEY);
    image.forEachRevision((revision, tombstone, keyValue) ->
        db.put(EtcdKeyBucket.revisionKey(revision, tombstone), EtcdKeyBucket.etcdValue(keyValue, tombstone)));
    db.endBucket();

    Map<byte[], byte[]> meta = sorted();
    meta.put(EtcdLayout.CONSISTENT_INDEX, EtcdLayout.int64(image.appliedIndex()));
    if (image.compactRevision() > 0) {
      byte[] compacted = EtcdKeyBucket.revisionKey(new Revision(image.compactRevision(), 0), false);
      meta.put(EtcdLayout.FINISHED_COMPACT, compacted);
      meta.put(EtcdLayout.SCHEDULED_COMPACT, compacted);
    }
    bucket(db, EtcdLayout.META, meta);

    Map<byte[], byte[]> leases = sorted();
    for (LeaseRecord l : image.leases()) {
      leases.put(EtcdLayout.int64(l.id()), Lease.newBuilder().setID(l.id()).setTTL(l.ttl())
          .setRemainingTTL(l.remainingTtl()).build().toByteArray());
    }
    bucket(db, EtcdLayout.LEASE, leases);

    AuthState auth = authState(image.record(AuthStore.RECORD));
    Map<byte[], byte[]> flags = sorted();
    flags.put(EtcdLayout.AUTH_ENABLED, new byte[] {(byte) (auth.getEnabled() ? 1 : 0)});
    flags.put(EtcdLayout.AUTH_REVISION, EtcdLayout.int64(auth.getRevision()));
    bucket(db, EtcdLayout.AUTH, flags);
    Map<byte[], byte[]> users = sorted();
    for (User u : auth.getUsersList()) {
      users.put(u.getName().toByteArray(), u.toByteArray());
    }
    bucket(db, EtcdLayout.AUTH_USERS, users);
    Map<byte[], byte[]> roles = sorted();
    for (Role r : auth.getRolesList()) {
      roles.put(r.getName().toByteArray(), r.toByteArray());
    }
    bucket(db, EtcdLayout.AUTH_ROLES, roles);

    Map<byte[], byte[]> alarms = sorted();
    for (AlarmMember a : alarms(image.record(AlarmTable.RECORD))) {
      alarms.put(a.toByteArray(), new byte[0]);
    }
    bucket(db, EtcdLayout.ALARM, alarms);
    bucket(db, EtcdLayout.MEMBERS, sorted());
    bucket(db, EtcdLayout.MEMBERS_REMOVED, sorted());
    return db.finish();
  }

  private static Map<byte[], byte[]> sorted() {
    return new TreeMap<>(Comparator.comparing((byte[] k) -> k, Arrays::compareUnsigned));
  }

  private static void bucket(BoltWriter db, byte[] name, Map<byte[], byte[]> entries) throws IOException {
    db.beginBucket(name);
    for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
      db.put(e.getKey(), e.getValue());
    }
    db.endBucket();
  }

  private static AuthState authState(byte[] record) {
    try {
      return record == null ? AuthState.newBuilder().setRevision(1).build() : AuthState.parseFrom(record);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreFailedException("corrupt auth store: " + e.getMessage(), e);
    }
  }

  private static List<AlarmMember> alarms(byte[] record) {
    try {
      return record == null ? List.of() : AlarmResponse.parseFrom(record).getAlarmsList();
    } catch (InvalidProtocolBufferException e) {
      throw new StoreFailedException("corrupt alarm table: " + e.getMessage(), e);
    }
  }
}
