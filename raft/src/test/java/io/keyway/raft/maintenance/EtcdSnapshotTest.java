package io.keyway.raft.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.api.raftpb.AuthState;
import io.keyway.raft.NodeConfig;
import io.keyway.store.LeaseRecord;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;
import io.keyway.store.auth.AuthStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot file written by the real etcd 3.4.23 (src/test/resources/etcd/, made by the script beside it) read
 * by {@code snapshot status} and {@code snapshot restore}, and the store it gives written back in etcd's format
 * and read again without loss.
 */
class EtcdSnapshotTest {
  @TempDir Path tmp;

  private Path etcdSnapshot() throws IOException {
    Path file = tmp.resolve("etcd.snap");
    try (InputStream in = getClass().getResourceAsStream("/etcd/etcd-3.4.23.snap")) {
      Files.copy(in, file);
    }
    return file;
  }

  private Path restore(Path snapshot, String name) throws Exception {
    Path dataDir = tmp.resolve(name);
    SnapshotRestore.restore(new SnapshotRestore.Options(snapshot, name, dataDir,
        name + "=http://127.0.0.1:2380", "t", List.of("http://127.0.0.1:2380"), false));
    return NodeConfig.builder().name(name).dataDir(dataDir).build().storeDir();
  }

  private static KeyValue get(RocksKvStore store, String key, long rev) throws Exception {
    var r = store.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setRevision(rev).build());
    return r.getKvsCount() == 0 ? null : r.getKvs(0);
  }

  @Test
  void statusOfAnEtcdSnapshotIsWhatEtcdctlReports() throws Exception {
    // etcdctl 3.4.23 snapshot status on this file: 2835e18f, 326, 187, 53 kB
    SnapshotRestore.Status s = SnapshotRestore.status(etcdSnapshot(), tmp);
    assertEquals(new SnapshotRestore.Status(0x2835e18fL, 326, 187, 53248), s);
  }

  @Test
  void anEtcdSnapshotRestoresWithHistoryCompactionLeasesAndAuth() throws Exception {
    Path storeDir = restore(etcdSnapshot(), "m1");
    try (RocksKvStore store = RocksKvStore.open(storeDir, StoreOptions.defaults())) {
      assertEquals(326, store.revision());
      assertEquals(200, store.compactRevision());
      KeyValue k1 = get(store, "/k/1", 0);
      assertEquals("w1", k1.getValue().toStringUtf8());
      assertEquals(304, k1.getModRevision());
      assertEquals(7, k1.getVersion());
      assertEquals("v251", get(store, "/k/1", 303).getValue().toStringUtf8(), "history kept");
      assertEquals(null, get(store, "/k/10", 0), "deleted after the compaction");
      assertEquals("w10", get(store, "/k/10", 322).getValue().toStringUtf8());
      assertEquals(10_000, get(store, "big", 0).getValue().size());
      List<LeaseRecord> leases = store.leases();
      assertEquals(List.of(new LeaseRecord(0x2b53a2516da46a49L, 600)), leases);
      assertEquals(0x2b53a2516da46a49L, get(store, "/leased/a", 0).getLease());
      AuthState auth = AuthState.parseFrom(store.record(AuthStore.RECORD));
      assertTrue(auth.getEnabled());
      assertEquals(List.of("app", "root"), auth.getUsersList().stream().map(u -> u.getName().toStringUtf8()).toList());
      assertTrue(auth.getUsers(0).getPassword().toStringUtf8().startsWith("$2a$"), "bcrypt hash kept");
      assertEquals("app", auth.getRoles(0).getName().toStringUtf8());
      assertEquals("/k/", auth.getRoles(0).getKeyPermission(0).getKey().toStringUtf8());
    }
  }

  @Test
  void aRestoredStoreWrittenInEtcdsFormatReadsBackTheSame() throws Exception {
    Path first = restore(etcdSnapshot(), "m1");
    Path exported = tmp.resolve("keyway.snap");
    List<String> original;
    try (RocksKvStore store = RocksKvStore.open(first, StoreOptions.defaults())) {
      original = describe(store);
      try (FileChannel out = FileChannel.open(exported, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        long size = store.readImage(image -> EtcdSnapshotExport.write(image, out));
        assertEquals(size, out.size());
      }
    }
    appendSha256(exported);
    SnapshotRestore.Status s = SnapshotRestore.status(exported, tmp);
    assertEquals(326, s.revision());
    try (RocksKvStore again = RocksKvStore.open(restore(exported, "m2"), StoreOptions.defaults())) {
      assertEquals(original, describe(again));
    }
  }

  @Test
  void keywaysOwnArchiveFormatStillRestores() throws Exception {
    Path archive = tmp.resolve("keyway.archive");
    List<String> original;
    try (RocksKvStore store = RocksKvStore.open(restore(etcdSnapshot(), "m1"), StoreOptions.defaults())) {
      original = describe(store);
      SnapshotArchive.pack(store, archive);
    }
    appendSha256(archive);
    try (RocksKvStore again = RocksKvStore.open(restore(archive, "m2"), StoreOptions.defaults())) {
      assertEquals(original, describe(again));
    }
  }

  @Test
  void aDamagedEtcdSnapshotLeavesNothingBehind() throws Exception {
    Path snapshot = etcdSnapshot();
    byte[] bytes = Files.readAllBytes(snapshot);
    Files.write(snapshot, java.util.Arrays.copyOf(bytes, bytes.length - 32 - 8192));
    Path dataDir = tmp.resolve("m3");
    SnapshotRestore.SnapshotException e = assertThrows(SnapshotRestore.SnapshotException.class, () ->
        SnapshotRestore.restore(new SnapshotRestore.Options(snapshot, "m3", dataDir, "m3=http://127.0.0.1:2380",
            "t", List.of("http://127.0.0.1:2380"), true)));
    assertTrue(e.getMessage().startsWith("truncated database"), e.getMessage());
    assertTrue(Files.notExists(dataDir));
  }

  /** Everything the image holds, as text, for comparing two stores. */
  private static List<String> describe(RocksKvStore store) throws IOException {
    return store.readImage(image -> {
      List<String> out = new ArrayList<>();
      out.add("revision " + image.revision() + " compacted " + image.compactRevision());
      image.forEachRevision((rev, tombstone, kv) ->
          out.add(rev + (tombstone ? " t " : " ") + KeyValue.parseFrom(kv)));
      image.leases().forEach(l -> out.add(l.toString()));
      out.add(AuthState.parseFrom(image.record(AuthStore.RECORD)).toString());
      byte[] alarms = image.record(AlarmTable.RECORD);
      out.add(alarms == null ? "no alarms" : new String(alarms, StandardCharsets.ISO_8859_1));
      return out;
    });
  }

  private static void appendSha256(Path file) throws Exception {
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    Files.write(file, sha, StandardOpenOption.APPEND);
  }
}
