package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd's backup and restore playbook through the real executables: {@code etcdctl snapshot save} from a running
 * member, {@code keyway snapshot restore} (etcdutl's command) into a new data dir, a new member started on it
 * serves the same keys, values, revisions and leases. Against etcd ({@code -Dkeyway.it.target=etcd}) the same
 * sequence runs with etcd 3.4's {@code etcdctl snapshot restore}.
 */
class SnapshotRestoreIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ServerProcess source;
  private static Etcdctl ctl;
  private static Path snapshot;
  private static JsonNode sourceKvs;
  private static long sourceRevision;
  private static String leaseId;
  private static final List<ServerProcess> restored = new ArrayList<>();

  @BeforeAll
  static void saveASnapshot() throws IOException {
    source = ServerUnderTest.start("restore-source");
    ctl = source.etcdctl();
    for (int i = 0; i < 5; i++) {
      ok(ctl, "put", "/app/k" + i, "v" + i);
    }
    ok(ctl, "put", "/app/k1", "overwritten");
    ok(ctl, "del", "/app/k4");
    leaseId = ok(ctl, "lease", "grant", "3600").split(" ")[1];
    ok(ctl, "put", "/app/leased", "x", "--lease=" + leaseId);
    JsonNode all = JSON.readTree(ok(ctl, "get", "--prefix", "/", "-w", "json"));
    sourceKvs = all.path("kvs");
    sourceRevision = all.path("header").path("revision").asLong();
    assertEquals(5, sourceKvs.size(), all.toString());

    snapshot = source.dataDir().resolveSibling("restore-" + System.nanoTime() + ".db");
    Etcdctl.Result saved = ctl.run("snapshot", "save", snapshot.toString());
    assertEquals(0, saved.exitCode(), saved.toString());
  }

  @AfterAll
  static void stop() throws IOException {
    restored.forEach(ServerProcess::close);
    if (source != null) {
      source.close();
    }
    if (snapshot != null) {
      Files.deleteIfExists(snapshot);
    }
  }

  private static String ok(Etcdctl c, String... args) {
    Etcdctl.Result r = c.run(args);
    assertEquals(0, r.exitCode(), () -> String.join(" ", args) + ": " + r);
    return r.stdout();
  }

  private static ServerProcess newMember(String name) {
    ServerProcess p = ItEnvironment.targetIsEtcd() ? new EtcdProcess(name) : new KeywayProcess(name);
    restored.add(p);
    return p;
  }

  /** {@code snapshot restore} for {@code member}'s flags, by etcdutl's rules (etcd 3.4: etcdctl's). */
  private static Etcdctl.Result restore(Path file, ServerProcess member, String name, String... extra) {
    List<String> args = new ArrayList<>(List.of("snapshot", "restore", file.toString(), "--name=" + name,
        "--data-dir=" + member.dataDir(), "--initial-cluster=" + name + "=" + member.peerUrl(),
        "--initial-cluster-token=keyway-it-" + name, "--initial-advertise-peer-urls=" + member.peerUrl()));
    args.addAll(List.of(extra));
    if (ItEnvironment.targetIsEtcd()) {
      return ctl.run(args.toArray(String[]::new));
    }
    return keywayCommand(args);
  }

  private static Etcdctl.Result keywayCommand(List<String> args) {
    return KeywayCommand.run(args);
  }

  /** etcd 3.4 refuses an existing data dir, even an empty one; etcdutl 3.5 and Keyway accept an empty one. */
  private static void removeEmptyDataDirForEtcd(ServerProcess member) throws IOException {
    if (ItEnvironment.targetIsEtcd()) {
      Files.deleteIfExists(member.dataDir());
    }
  }

  @Test
  void restoredMemberServesTheSameDataRevisionsAndLeases() throws IOException {
    ServerProcess member = newMember("restore-target");
    removeEmptyDataDirForEtcd(member);
    Etcdctl.Result r = restore(snapshot, member, "restore-target");
    assertEquals(0, r.exitCode(), r.toString());
    member.start();
    Etcdctl c = member.etcdctl();

    JsonNode all = JSON.readTree(ok(c, "get", "--prefix", "/", "-w", "json"));
    assertEquals(sourceKvs, all.path("kvs"));
    assertEquals(sourceRevision, all.path("header").path("revision").asLong());
    assertTrue(ok(c, "lease", "list").contains(leaseId), "lease kept");
    assertTrue(ok(c, "lease", "timetolive", leaseId, "--keys").contains("attached keys([/app/leased])"));
    // a new cluster: its own member list, writes continue from the restored revision
    assertTrue(ok(c, "member", "list").contains("restore-target, " + member.peerUrl()));
    JsonNode put = JSON.readTree(ok(c, "put", "/app/after", "restore", "-w", "json"));
    assertEquals(sourceRevision + 1, put.path("header").path("revision").asLong());
  }

  @Test
  void aCorruptedSnapshotIsRefused() throws IOException {
    Path bad = snapshot.resolveSibling("corrupt-" + snapshot.getFileName());
    byte[] bytes = Files.readAllBytes(snapshot);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(bad, bytes);
    try {
      ServerProcess member = newMember("restore-corrupt");
      removeEmptyDataDirForEtcd(member);
      Etcdctl.Result r = restore(bad, member, "restore-corrupt");
      assertEquals(1, r.exitCode(), r.toString());
      assertTrue(r.stderr().contains("expected sha256 ["), r.toString());
      // etcd leaves the half-built data dir behind; Keyway removes what it created
      assertTrue(ItEnvironment.targetIsEtcd() || !Files.exists(member.dataDir().resolve("member")),
          "nothing restored");
    } finally {
      Files.deleteIfExists(bad);
    }
  }

  @Test
  void aNonEmptyDataDirIsRefused() throws IOException {
    ServerProcess member = newMember("restore-occupied");
    Files.writeString(member.dataDir().resolve("something"), "here");
    Etcdctl.Result r = restore(snapshot, member, "restore-occupied");
    assertEquals(1, r.exitCode(), r.toString());
    String expected = ItEnvironment.targetIsEtcd()
        ? "data-dir \"" + member.dataDir() + "\" exists"
        : "Error: data-dir \"" + member.dataDir() + "\" not empty or could not be read";
    assertTrue(r.stderr().contains(expected), r.toString());
    try (Stream<Path> files = Files.list(member.dataDir())) {
      assertEquals(List.of(member.dataDir().resolve("something")), files.sorted(Comparator.naturalOrder()).toList());
    }
  }

  @Test
  void statusReportsTheSnapshotsRevisionAndKeys() {
    Etcdctl.Result r = ItEnvironment.targetIsEtcd()
        ? ctl.run("snapshot", "status", snapshot.toString())
        : keywayCommand(List.of("snapshot", "status", snapshot.toString()));
    assertEquals(0, r.exitCode(), r.toString());
    String[] fields = r.stdout().trim().split(", ");
    assertEquals(4, fields.length, r.toString());
    assertEquals(Long.toString(sourceRevision), fields[1], r.toString());
    // etcd counts every key its history holds; Keyway counts the live keys
    assertTrue(Long.parseLong(fields[2]) >= 5, r.toString());
  }
}
