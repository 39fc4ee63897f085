package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Migration through snapshot files, both ways, with the real etcd 3.4 as source and target: a store with
 * history, deletions, a compaction, leases and auth is saved from etcd ({@code etcdctl snapshot save}),
 * restored into Keyway ({@code keyway snapshot restore}), saved from Keyway with etcdctl and restored into a
 * new etcd ({@code etcdctl snapshot restore}); every member must answer the same ranges at several revisions
 * (and refuse the compacted ones), the same leases with their keys, the same users and roles.
 *
 * <p>Size: {@code -Dkeyway.it.migrationKeys=N} keys (default 3000: multi-level trees in the snapshot files
 * and an IT under 90 s on the CI machine; {@code -Dkeyway.it.migrationKeys=100000} is the size, not run in
 * CI).
 */
class EtcdMigrationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEYS = Integer.getInteger("keyway.it.migrationKeys", 3000);
  private static final String ROOT = "--user=root:rootpw";

  private static final List<ServerProcess> members = new ArrayList<>();
  private static EtcdProcess source;
  private static Path snapshot;
  private static Path work;
  private static long compactedAt;
  private static long middle;
  private static long current;
  private static String leaseId;

  @BeforeAll
  static void fillAnEtcdAndSaveASnapshot() throws IOException {
    source = new EtcdProcess("migration-source");
    members.add(source);
    source.start();
    HttpJson http = source.http();
    // txns of many puts keep the setup short and give revisions with many sub-revisions
    List<ObjectNode> ops = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      ops.add(putOp(key(i), "v" + i + "-".repeat(i % 40)));
      flushEvery(http, ops, 100);
    }
    flushEvery(http, ops, 1);
    for (int i = 0; i < KEYS; i += 3) {
      ops.add(putOp(key(i), "second" + i));
      flushEvery(http, ops, 1 + i % 7);
    }
    flushEvery(http, ops, 1);
    compactedAt = revisionOf(http);
    for (int i = 0; i < KEYS; i += 10) {
      ops.add(obj().set("request_delete_range", obj().put("key", b64(key(i)))));
      flushEvery(http, ops, 1 + i % 5);
    }
    flushEvery(http, ops, 1);
    middle = revisionOf(http);
    http.ok("/v3/kv/compaction", obj().put("revision", compactedAt).put("physical", true));
    JsonNode lease = http.ok("/v3/lease/grant", obj().put("TTL", 3600));
    long id = lease.path("ID").asLong();
    leaseId = Long.toHexString(id);
    for (int i = 1; i < KEYS; i += 97) {
      put(http, key(i), "leased" + i, id);
    }
    put(http, "/big", "z".repeat(200_000), 0); // spans overflow pages in the snapshot file
    http.ok("/v3/kv/deleterange", obj().put("key", b64(key(2))));
    current = revisionOf(http);

    Etcdctl ctl = source.etcdctl();
    ctl.runAll(new String[][] {
        {"user", "add", "root:rootpw"}, {"user", "grant-role", "root", "root"},
        {"role", "add", "app"}, {"role", "grant-permission", "app", "readwrite", "--prefix", "/m/"},
        {"role", "grant-permission", "app", "read", "/big"},
        {"user", "add", "app:apppw"}, {"user", "grant-role", "app", "app"},
        {"auth", "enable"}});
    work = ItEnvironment.newDataDir("migration-files");
    snapshot = work.resolve("etcd.snap");
    ok(ctl, ROOT, "snapshot", "save", snapshot.toString());
  }

  @AfterAll
  static void stop() {
    members.forEach(ServerProcess::close);
  }

  @Test
  void anEtcdSnapshotGoesIntoKeywayAndBackIntoEtcdWithTheSameData() throws IOException {
    // etcd -> Keyway
    Etcdctl.Result status = KeywayCommand.run("snapshot", "status", snapshot.toString(), "-w", "json");
    assertEquals(0, status.exitCode(), status.toString());
    assertEquals(JSON.readTree(ok(source.etcdctl(), "snapshot", "status", snapshot.toString(), "-w", "json")),
        JSON.readTree(status.stdout()), "keyway reads etcd's file as etcdctl does");
    ServerProcess keyway = new KeywayProcess("migration-keyway");
    members.add(keyway);
    Etcdctl.Result restored = KeywayCommand.run(restoreArgs(snapshot, keyway, "migration-keyway"));
    assertEquals(0, restored.exitCode(), restored.toString());
    keyway.start();
    assertSameState(source, keyway);

    // Keyway -> etcd
    Path fromKeyway = work.resolve("keyway.snap");
    ok(keyway.etcdctl(), ROOT, "snapshot", "save", fromKeyway.toString());
    JsonNode etcdStatus = JSON.readTree(ok(source.etcdctl(), "snapshot", "status", fromKeyway.toString(), "-w",
        "json"));
    assertEquals(current, etcdStatus.path("revision").asLong(), etcdStatus.toString());
    Etcdctl.Result keywayStatus = KeywayCommand.run("snapshot", "status", fromKeyway.toString(), "-w", "json");
    assertEquals(etcdStatus, JSON.readTree(keywayStatus.stdout()), keywayStatus.toString());

    EtcdProcess back = new EtcdProcess("migration-back");
    members.add(back);
    Files.delete(back.dataDir()); // etcd 3.4 restores into a data dir that does not exist yet
    List<String> args = restoreArgs(fromKeyway, back, "migration-back");
    ok(source.etcdctl(), args.toArray(String[]::new));
    back.start();
    assertSameState(source, back);
  }

  @Test
  void anEtcdMembersDbFileNeedsSkipHashCheckAndRestores() throws IOException {
    Path db = work.resolve("member-db");
    Files.copy(source.dataDir().resolve("member/snap/db"), db);
    ServerProcess keyway = new KeywayProcess("migration-memberdb");
    members.add(keyway);
    Etcdctl.Result refused = KeywayCommand.run(restoreArgs(db, keyway, "migration-memberdb"));
    assertEquals(1, refused.exitCode(), refused.toString());
    assertTrue(refused.stderr().contains("snapshot missing hash but --skip-hash-check=false"), refused.toString());
    assertEmpty(keyway.dataDir());

    List<String> args = restoreArgs(db, keyway, "migration-memberdb");
    args.add("--skip-hash-check");
    Etcdctl.Result r = KeywayCommand.run(args);
    assertEquals(0, r.exitCode(), r.toString());
    keyway.start();
    assertEquals(range(source, current), range(keyway, current));
  }

  @Test
  void truncatedOrCorruptedEtcdSnapshotsAreRefusedAndLeaveTheDataDirUntouched() throws Exception {
    byte[] file = Files.readAllBytes(snapshot);
    byte[] db = Arrays.copyOf(file, file.length - 32);
    ServerProcess target = new KeywayProcess("migration-refused");
    members.add(target);

    Path truncated = work.resolve("truncated.snap");
    Files.write(truncated, Arrays.copyOf(db, db.length - 4096));
    List<String> args = restoreArgs(truncated, target, "migration-refused");
    args.add("--skip-hash-check");
    Etcdctl.Result r = KeywayCommand.run(args);
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("Error: truncated database"), r.toString());
    assertEmpty(target.dataDir());

    // a damaged root page behind a valid SHA-256: only the structure can tell
    byte[] damaged = db.clone();
    ByteBuffer meta = ByteBuffer.wrap(damaged).order(ByteOrder.LITTLE_ENDIAN);
    int pageSize = meta.getInt(16 + 8);
    long rootPage = meta.getLong(16 + 16);
    meta.putLong((int) (rootPage * pageSize), 0x7777L);
    Path corrupt = work.resolve("corrupt.snap");
    Files.write(corrupt, withSha256(damaged));
    r = KeywayCommand.run(restoreArgs(corrupt, target, "migration-refused"));
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("Error: corrupt database: page " + rootPage), r.toString());
    assertEmpty(target.dataDir());

    byte[] flipped = file.clone();
    flipped[file.length / 2] ^= 0x5a;
    Path badHash = work.resolve("bad-hash.snap");
    Files.write(badHash, flipped);
    r = KeywayCommand.run(restoreArgs(badHash, target, "migration-refused"));
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("expected sha256 ["), r.toString());
    assertEmpty(target.dataDir());
  }

  // ---- comparing members ----------------------------------------------------------------------------------

  private static void assertSameState(ServerProcess expected, ServerProcess actual) {
    for (long rev : new long[] {compactedAt, middle, current}) {
      assertEquals(range(expected, rev), range(actual, rev), "range at revision " + rev);
    }
    Etcdctl.Result compacted = actual.etcdctl().run(ROOT, "get", "/m/", "--prefix", "--rev=" + (compactedAt - 1));
    assertTrue(compacted.stderr().contains("required revision has been compacted"), compacted.toString());
    assertEquals(ok(expected.etcdctl(), ROOT, "lease", "list"), ok(actual.etcdctl(), ROOT, "lease", "list"));
    String keys = ok(actual.etcdctl(), ROOT, "lease", "timetolive", leaseId, "--keys");
    assertTrue(keys.contains("granted with TTL(3600s)"), keys);
    assertEquals(attachedKeys(ok(expected.etcdctl(), ROOT, "lease", "timetolive", leaseId, "--keys")),
        attachedKeys(keys));
    for (String[] query : new String[][] {{"user", "list"}, {"role", "list"}, {"user", "get", "app"},
        {"role", "get", "app"}}) {
      String[] args = Stream.concat(Stream.of(ROOT), Arrays.stream(query)).toArray(String[]::new);
      assertEquals(ok(expected.etcdctl(), args), ok(actual.etcdctl(), args), String.join(" ", query));
    }
    // the password hashes came along: the users log in with their passwords, and auth is on
    assertTrue(ok(actual.etcdctl(), "--user=app:apppw", "get", key(1)).contains("leased1"));
    Etcdctl.Result anonymous = actual.etcdctl().run("get", key(1));
    assertTrue(anonymous.stderr().contains("user name is empty"), anonymous.toString());
    Etcdctl.Result denied = actual.etcdctl().run("--user=app:apppw", "put", "/big", "x");
    assertTrue(denied.stderr().contains("permission denied"), denied.toString());
  }

  /** Every key and its metadata at {@code rev}, with the header's revision (ids and terms left out). */
  private static JsonNode range(ServerProcess member, long rev) {
    try {
      JsonNode r = JSON.readTree(ok(member.etcdctl(), ROOT, "get", "", "--from-key", "--rev=" + rev, "-w", "json"));
      ObjectNode out = obj();
      out.put("revision", r.path("header").path("revision").asLong());
      out.set("kvs", r.path("kvs"));
      out.put("count", r.path("count").asLong());
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> attachedKeys(String timeToLive) {
    int start = timeToLive.indexOf("attached keys([");
    String list = timeToLive.substring(start + 15, timeToLive.indexOf("])", start));
    List<String> keys = new ArrayList<>(List.of(list.split(" ")));
    keys.sort(String::compareTo);
    return keys;
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private static List<String> restoreArgs(Path file, ServerProcess member, String name) {
    return new ArrayList<>(List.of("snapshot", "restore", file.toString(), "--name=" + name,
        "--data-dir=" + member.dataDir(), "--initial-cluster=" + name + "=" + member.peerUrl(),
        "--initial-cluster-token=keyway-it-" + name, "--initial-advertise-peer-urls=" + member.peerUrl()));
  }

  private static void assertEmpty(Path dir) throws IOException {
    assertTrue(Files.isDirectory(dir), dir + " is gone");
    try (Stream<Path> entries = Files.list(dir)) {
      assertEquals(List.of(), entries.toList(), "nothing written into " + dir);
    }
  }

  private static byte[] withSha256(byte[] db) throws Exception {
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(db);
    byte[] out = Arrays.copyOf(db, db.length + sha.length);
    System.arraycopy(sha, 0, out, db.length, sha.length);
    return out;
  }

  private static String key(int i) {
    return String.format("/m/%06d", i);
  }

  private static void put(HttpJson http, String key, String value, long lease) {
    ObjectNode body = obj().put("key", b64(key)).put("value", b64(value));
    if (lease != 0) {
      body.put("lease", lease);
    }
    http.ok("/v3/kv/put", body);
  }

  private static ObjectNode putOp(String key, String value) {
    return obj().set("request_put", obj().put("key", b64(key)).put("value", b64(value)));
  }

  /** Sends the collected operations as one txn once there are {@code size} of them. */
  private static void flushEvery(HttpJson http, List<ObjectNode> ops, int size) {
    if (ops.size() >= size && !ops.isEmpty()) {
      ObjectNode txn = obj();
      txn.putArray("success").addAll(ops);
      http.ok("/v3/kv/txn", txn);
      ops.clear();
    }
  }

  private static long revisionOf(HttpJson http) {
    return http.ok("/v3/kv/range", obj().put("key", b64("/none"))).path("header").path("revision").asLong();
  }

  private static ObjectNode obj() {
    return JSON.createObjectNode();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String ok(Etcdctl c, String... args) {
    Etcdctl.Result r = c.run(args);
    assertEquals(0, r.exitCode(), () -> String.join(" ", args) + ": " + r);
    return r.stdout();
  }
}
