package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * One etcd snapshot restored into every member of a new 3-member Keyway cluster ({@code keyway snapshot restore}
 * with the same {@code --initial-cluster} and token on each, as etcdutl is used): the members elect a leader on
 * the restored store, every member answers linearizable and serializable ranges as the source etcd did, takes a
 * write, and reports the source etcd's HashKV at the snapshot's revision.
 */
class EtcdClusterRestoreIT {

  @Test
  void anEtcdSnapshotRestoredIntoThreeMembersServesTheSameData() {
    long revision;
    String expectedRange;
    JsonNode expectedHash;
    Path snapshot;
    try (EtcdProcess etcd = new EtcdProcess("cluster-restore-source")) {
      etcd.start();
      Etcdctl ctl = etcd.etcdctl();
      HttpJson http = etcd.http();
      for (int i = 0; i < 40; i++) {
        http.ok("/v3/kv/put", Json.obj("key", Json.b64(key(i)), "value", Json.b64("v" + i)));
      }
      for (int i = 0; i < 40; i += 4) {
        http.ok("/v3/kv/put", Json.obj("key", Json.b64(key(i)), "value", Json.b64("second" + i)));
      }
      ok(ctl, "del", key(1));
      long compactTo = revisionOf(etcd);
      ok(ctl, "compaction", Long.toString(compactTo - 5));
      ok(ctl, "put", key(2), "after-compaction");
      ok(ctl, "del", key(3));
      revision = revisionOf(etcd);
      expectedRange = ok(ctl, "get", "/r/", "--prefix", "-w", "json");
      expectedHash = hashKv(etcd, revision);
      assertEquals(compactTo - 5, expectedHash.path("compact_revision").asLong(), expectedHash.toString());
      snapshot = ItEnvironment.newDataDir("cluster-restore-files").resolve("etcd.snap");
      ok(ctl, "snapshot", "save", snapshot.toString());
    }

    try (ProcessCluster cluster = ProcessCluster.start("cluster-restore", 3, (member, flags) -> {
      Etcdctl.Result restored = KeywayCommand.run("snapshot", "restore", snapshot.toString(),
          "--name=" + member.memberName(), "--data-dir=" + member.dataDir(),
          "--initial-cluster=" + flags.initialCluster(), "--initial-cluster-token=" + flags.token(),
          "--initial-advertise-peer-urls=" + member.peerUrl());
      assertEquals(0, restored.exitCode(), restored.toString());
    })) {
      for (ServerProcess member : cluster.members()) {
        String name = member.memberName();
        assertEquals(withoutHeader(expectedRange),
            withoutHeader(ok(member.etcdctl(), "get", "/r/", "--prefix", "-w", "json")), name + " linearizable");
        assertEquals(withoutHeader(expectedRange), withoutHeader(ok(member.etcdctl(), "get", "/r/", "--prefix",
            "--consistency=s", "-w", "json")), name + " serializable");
        JsonNode hash = hashKv(member, revision);
        assertEquals(expectedHash.path("hash").asLong(), hash.path("hash").asLong(), name + ": " + hash);
        assertEquals(expectedHash.path("compact_revision").asLong(), hash.path("compact_revision").asLong(),
            name + ": " + hash);
        assertEquals(revision, hash.path("header").path("revision").asLong(), name + ": " + hash);
      }

      ok(cluster.member(1).etcdctl(), "put", key(100), "written-after-restore");
      for (ServerProcess member : cluster.members()) {
        JsonNode got = Json.parse(ok(member.etcdctl(), "get", key(100), "-w", "json"));
        assertEquals(revision + 1, got.path("header").path("revision").asLong(), member.memberName() + ": " + got);
        assertEquals(revision + 1, got.path("kvs").path(0).path("mod_revision").asLong(), got.toString());
      }
      Etcdctl.Result compacted = cluster.member(2).etcdctl().run("get", key(0), "--rev=2");
      assertTrue(compacted.stderr().contains("required revision has been compacted"), compacted.toString());
    }
  }

  /** HashKV at {@code rev} as {@code etcdctl endpoint hashkv} prints it (hash, compact_revision, header). */
  private static JsonNode hashKv(ServerProcess server, long rev) {
    return Json.parse(ok(server.etcdctl(), "endpoint", "hashkv", "--rev=" + rev, "-w", "json"))
        .path(0).path("HashKV");
  }

  private static long revisionOf(ServerProcess server) {
    return Json.parse(ok(server.etcdctl(), "get", "/none", "-w", "json")).path("header").path("revision").asLong();
  }

  /** The keys with their revisions and the count; the header's ids and term differ between clusters. */
  private static String withoutHeader(String rangeJson) {
    JsonNode r = Json.parse(rangeJson);
    return r.path("kvs") + " count=" + r.path("count") + " revision=" + r.path("header").path("revision");
  }

  private static String key(int i) {
    return String.format("/r/%03d", i);
  }

  private static String ok(Etcdctl c, String... args) {
    Etcdctl.Result r = c.run(args);
    assertEquals(0, r.exitCode(), () -> String.join(" ", args) + ": " + r);
    return r.stdout();
  }
}
