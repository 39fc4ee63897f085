package io.keyway.raft.maintenance;

import io.keyway.store.mvcc.EtcdKeyBucket;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.authpb.Role;
import io.keyway.api.authpb.User;
import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmResponse;
import io.keyway.api.leasepb.Lease;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.api.raftpb.AuthState;
import io.keyway.store.LeaseRecord;
import io.keyway.store.StoreImage;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.bolt.BoltFormatException;
import io.keyway.store.bolt.BoltReader;
import io.keyway.store.mvcc.Revision;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads an etcd backend (a bbolt file: a snapshot {@code etcdctl snapshot save} wrote, or a member's
 * {@code member/snap/db}) as a store image: every revision of the {@code key} bucket, the current and compacted
 * revisions as etcd computes them when it opens the file, the {@code lease} table, the auth buckets as the auth
 * record and the {@code alarm} bucket as the alarm record. Membership ({@code members}, {@code cluster}) stays
 * behind: a restore builds its own from the restore flags, as etcdutl does.
 */
final class EtcdSnapshotImport implements StoreImage.Source {
  private final BoltReader db;

  EtcdSnapshotImport(BoltReader db) {
    this.db = db;
  }

  @Override
  public void fill(StoreImage.Sink sink) throws IOException {
    BoltReader.Bucket keys = db.bucket(EtcdLayout.KEY);
    BoltReader.Bucket meta = db.bucket(EtcdLayout.META);
    if (keys == null || meta == null) {
      throw new BoltFormatException("not an etcd database: it has no \"key\" and \"meta\" buckets");
    }
    long[] maxMain = {0};
    keys.forEach((key, value, bucket) -> {
      Revision rev = EtcdKeyBucket.revision(key);
      if (bucket || rev == null) {
        throw new BoltFormatException("corrupt etcd database: " + key.length + "-byte key in the key bucket is no "
            + "revision");
      }
      checkKeyValue(rev, value);
      sink.revision(rev, EtcdKeyBucket.isTombstone(key), value);
      maxMain[0] = Math.max(maxMain[0], rev.main());
    });
    long[] compaction = {0, 0}; // finished, scheduled
    meta.forEach((key, value, bucket) -> {
      if (Arrays.equals(key, EtcdLayout.FINISHED_COMPACT)) {
        compaction[0] = compactRevision(value);
      } else if (Arrays.equals(key, EtcdLayout.SCHEDULED_COMPACT)) {
        compaction[1] = compactRevision(value);
      }
    });
    readLeases(sink);
    readAuth(sink);
    readAlarms(sink);
    // etcd on open: the compaction may have removed the newest revisions (deletions), so the current revision
    // is at least the finished compaction's; a scheduled, unfinished compaction is resumed (so is Keyway's)
    sink.revisions(Math.max(maxMain[0], compaction[0]), Math.max(compaction[0], compaction[1]));
  }

  private static void checkKeyValue(Revision rev, byte[] value) throws BoltFormatException {
    KeyValue kv;
    try {
      kv = KeyValue.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new BoltFormatException("corrupt etcd database: revision " + rev.main() + " holds no KeyValue");
    }
    if (kv.getKey().isEmpty()) {
      throw new BoltFormatException("corrupt etcd database: revision " + rev.main() + " has an empty key");
    }
  }

  private static long compactRevision(byte[] value) throws BoltFormatException {
    Revision rev = value.length == EtcdKeyBucket.REVISION_KEY_BYTES ? EtcdKeyBucket.revision(value) : null;
    if (rev == null) {
      throw new BoltFormatException("corrupt etcd database: a compaction revision of " + value.length + " bytes");
    }
    return rev.main();
  }

  private void readLeases(StoreImage.Sink sink) throws IOException {
    BoltReader.Bucket leases = db.bucket(EtcdLayout.LEASE);
    if (leases == null) {
      return;
    }
    leases.forEach((key, value, bucket) -> {
      try {
        Lease lease = Lease.parseFrom(value);
        sink.lease(new LeaseRecord(lease.getID(), lease.getTTL(), Math.max(0, lease.getRemainingTTL())));
      } catch (InvalidProtocolBufferException e) {
        throw new BoltFormatException("corrupt etcd database: a lease record is unreadable");
      }
    });
  }

  private void readAuth(StoreImage.Sink sink) throws IOException {
    AuthState.Builder auth = AuthState.newBuilder().setRevision(1); // etcd's revision of a new auth store
    BoltReader.Bucket flags = db.bucket(EtcdLayout.AUTH);
    if (flags != null) {
      flags.forEach((key, value, bucket) -> {
        if (Arrays.equals(key, EtcdLayout.AUTH_ENABLED)) {
          auth.setEnabled(value.length == 1 && value[0] == 1);
        } else if (Arrays.equals(key, EtcdLayout.AUTH_REVISION) && value.length == 8) {
          auth.setRevision(Math.max(1, EtcdLayout.int64(value)));
        }
      });
    }
    BoltReader.Bucket users = db.bucket(EtcdLayout.AUTH_USERS);
    if (users != null) {
      users.forEach((key, value, bucket) -> {
        try {
          auth.addUsers(User.parseFrom(value));
        } catch (InvalidProtocolBufferException e) {
          throw new BoltFormatException("corrupt etcd database: user record " + new String(key) + " is unreadable");
        }
      });
    }
    BoltReader.Bucket roles = db.bucket(EtcdLayout.AUTH_ROLES);
    if (roles != null) {
      roles.forEach((key, value, bucket) -> {
        try {
          auth.addRoles(Role.parseFrom(value));
        } catch (InvalidProtocolBufferException e) {
          throw new BoltFormatException("corrupt etcd database: role record " + new String(key) + " is unreadable");
        }
      });
    }
    sink.record(AuthStore.RECORD, auth.build().toByteArray());
  }

  private void readAlarms(StoreImage.Sink sink) throws IOException {
    BoltReader.Bucket alarms = db.bucket(EtcdLayout.ALARM);
    if (alarms == null) {
      return;
    }
    AlarmResponse.Builder table = AlarmResponse.newBuilder();
    alarms.forEach((key, value, bucket) -> {
      try {
        table.addAlarms(AlarmMember.parseFrom(key));
      } catch (InvalidProtocolBufferException e) {
        throw new BoltFormatException("corrupt etcd database: an alarm record is unreadable");
      }
    });
    if (table.getAlarmsCount() > 0) {
      sink.record(AlarmTable.RECORD, table.build().toByteArray());
    }
  }
}
