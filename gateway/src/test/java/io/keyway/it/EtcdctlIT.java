package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drives the server with the real etcdctl 3.4.23 (gRPC). Expected outputs were recorded against etcd itself;
 * run with -Dkeyway.it.target=etcd to re-check them against the oracle.
 */
class EtcdctlIT {

  private static ServerProcess server;
  private static Etcdctl etcdctl;

  @BeforeAll
  static void startServer() {
    server = ServerUnderTest.start("ctl");
    etcdctl = server.etcdctl();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void putThenGetPrintsKeyAndValue() {
    assertEquals("OK\n", ok("put", "pg/a", "1"));
    assertEquals("pg/a\n1\n", ok("get", "pg/a"));
    assertEquals("OK\npg/a\n1\n", ok("put", "pg/a", "2", "--prev-kv"));
    assertEquals("pg/a\n2\n", ok("get", "pg/a"));
    assertEquals("", ok("get", "pg/missing"));
  }

  @Test
  void getJsonCarriesRevisionsAndBase64() {
    JsonNode put = json("put", "gj/k", "v1", "-w", "json");
    long created = put.path("header").path("revision").asLong();
    assertFalse(put.has("prev_kv"), put::toString);
    JsonNode second = json("put", "gj/k", "v2", "-w", "json", "--prev-kv");
    long modified = second.path("header").path("revision").asLong();
    assertEquals(created + 1, modified);
    assertEquals(Json.obj("key", Json.b64("gj/k"), "create_revision", created, "mod_revision", created,
        "version", 1, "value", Json.b64("v1")), second.path("prev_kv"));

    JsonNode get = json("get", "gj/k", "-w", "json");
    assertEquals(modified, get.path("header").path("revision").asLong());
    assertEquals(Json.arr(Json.obj("key", Json.b64("gj/k"), "create_revision", created, "mod_revision", modified,
        "version", 2, "value", Json.b64("v2"))), get.path("kvs"));
    assertEquals(1, get.path("count").asLong());
    assertTrue(get.path("header").path("cluster_id").isNumber(), get::toString);
    assertTrue(get.path("header").path("member_id").isNumber(), get::toString);
    assertTrue(get.path("header").path("raft_term").asLong() >= 1, get::toString);
  }

  @Test
  void getPrefixKeysOnlyValueOnlyLimitSortAndRanges() {
    ok("put", "px/a", "1");
    ok("put", "px/b", "2");
    ok("put", "px/c", "");
    ok("put", "py", "3");
    assertEquals("px/a\n1\npx/b\n2\npx/c\n\n", ok("get", "px/", "--prefix"));
    assertEquals("px/a\n\npx/b\n\npx/c\n\n", ok("get", "px/", "--prefix", "--keys-only"));
    assertEquals("1\n2\n\n", ok("get", "px/", "--prefix", "--print-value-only"));
    assertEquals("px/a\n1\npx/b\n2\n", ok("get", "px/", "--prefix", "--limit=2"));
    assertEquals("px/c\n\npx/b\n2\npx/a\n1\n", ok("get", "px/", "--prefix", "--order=DESCEND"));
    assertEquals("px/b\n2\npx/a\n1\npx/c\n\n",
        ok("get", "px/", "--prefix", "--sort-by=VALUE", "--order=DESCEND"));
    assertEquals("px/a\n1\npx/b\n2\n", ok("get", "px/a", "px/c"));
    assertEquals("px/c\n\npy\n3\n", ok("get", "px/c", "--from-key", "--limit=2"));

    JsonNode limited = json("get", "px/", "--prefix", "--limit=1", "-w", "json");
    assertEquals(3, limited.path("count").asLong(), limited::toString);
    assertTrue(limited.path("more").asBoolean(), limited::toString);
    assertEquals(1, limited.path("kvs").size(), limited::toString);

    JsonNode keysOnly = json("get", "px/c", "-w", "json");
    // an empty value is omitted from the KeyValue
    assertFalse(keysOnly.path("kvs").path(0).has("value"), keysOnly::toString);
  }

  @Test
  void getAtRevisionSeesHistory() {
    long first = json("put", "gr/k", "old", "-w", "json").path("header").path("revision").asLong();
    long second = json("put", "gr/k", "new", "-w", "json").path("header").path("revision").asLong();
    assertEquals("gr/k\nold\n", ok("get", "gr/k", "--rev=" + first));
    assertEquals("gr/k\nnew\n", ok("get", "gr/k", "--rev=" + second));
    assertEquals("", ok("get", "gr/k", "--rev=" + (first - 1)));
    fails("etcdserver: mvcc: required revision is a future revision", "get", "gr/k", "--rev=" + (second + 1000));
  }

  @Test
  void deleteSingleMissingAndPrefixWithPrevKv() {
    ok("put", "dl/a", "1");
    ok("put", "dl/b", "2");
    ok("put", "dl/c", "3");
    assertEquals("1\n", ok("del", "dl/c"));
    assertEquals("0\n", ok("del", "dl/c"));
    assertEquals("2\ndl/a\n1\ndl/b\n2\n", ok("del", "dl/", "--prefix", "--prev-kv"));
    assertEquals("", ok("get", "dl/", "--prefix"));

    ok("put", "dl/x", "9");
    JsonNode deleted = json("del", "dl/x", "--prev-kv", "-w", "json");
    assertEquals(1, deleted.path("deleted").asLong(), deleted::toString);
    assertEquals(Json.b64("9"), deleted.path("prev_kvs").path(0).path("value").asText(), deleted::toString);
  }

  @Test
  void txnRunsSuccessOrFailureBranch() {
    ok("put", "tx/a", "1");
    assertEquals("SUCCESS\n\nOK\n\ntx/a\n2\n\n0\n",
        txn("value(\"tx/a\") = \"1\"\n\nput tx/a 2\nget tx/a\ndel tx/none\n\nget tx/a\n\n"));
    assertEquals("FAILURE\n\ntx/a\n2\n", txn("value(\"tx/a\") = \"1\"\n\nput tx/a 3\n\nget tx/a\n\n"));
    assertEquals("SUCCESS\n\nOK\n",
        txn("create(\"tx/zz\") = \"0\"\nversion(\"tx/a\") > \"1\"\n\nput tx/b x\n\n\n", "--interactive=false"));
    assertEquals("SUCCESS\n\nOK\n",
        txn("mod(\"tx/a\") > \"1\"\ncreate(\"tx/a\") != \"0\"\nversion(\"tx/a\") < \"3\"\nvalue(\"tx/a\") != \"9\"\n\n"
            + "put tx/c 1\n\n\n"));
    // a VALUE compare on a missing key always fails
    assertEquals("FAILURE\n\nOK\n", txn("value(\"tx/nokey\") != \"x\"\n\n\nput tx/d 2\n\n"));
    assertEquals("SUCCESS\n", txn("\n\n\n"));
    assertEquals("SUCCESS\n\ntx/a\n\ntx/b\n\ntx/c\n\ntx/d\n\n",
        txn("mod(\"tx/a\") > \"1\"\n\nget tx/ --prefix --keys-only\n\n\n"));
    assertEquals("SUCCESS\n\n1\ntx/d\n2\n", txn("val(\"tx/a\") = \"2\"\n\ndel tx/d --prev-kv\n\n\n"));
    assertEquals("SUCCESS\n\nOK\ntx/a\n2\n", txn("ver(\"tx/a\") = \"2\"\n\nput tx/a v --prev-kv\n\n\n"));

    JsonNode asJson = Json.parse(ok(new String[] {"txn", "-w", "json"},
        "value(\"tx/a\") = \"nope\"\n\nput tx/a 3\n\nget tx/a\n\n"));
    assertFalse(asJson.path("succeeded").asBoolean(), asJson::toString);
    JsonNode range = asJson.path("responses").path(0).path("Response").path("ResponseRange");
    assertEquals(Json.b64("v"), range.path("kvs").path(0).path("value").asText(), asJson::toString);
    assertEquals(asJson.path("header").path("revision"), range.path("header").path("revision"), asJson::toString);
  }

  @Test
  void txnWithDuplicatePutsIsRejected() {
    Etcdctl.Result result = etcdctl.runWithStdin("\n\nput td/c 1\nput td/c 2\n\n\n", "txn");
    assertFailure(result, "etcdserver: duplicate key given in txn request");
    assertEquals("", ok("get", "td/c"));
  }

  @Test
  void compactionMakesOldRevisionsUnreadable() {
    long old = json("put", "cp/k", "a", "-w", "json").path("header").path("revision").asLong();
    ok("put", "cp/k", "b");
    long current = json("put", "cp/k", "c", "-w", "json").path("header").path("revision").asLong();
    assertEquals("compacted revision " + (current - 1) + "\n", ok("compaction", String.valueOf(current - 1)));
    fails("etcdserver: mvcc: required revision has been compacted", "get", "cp/k", "--rev=" + old);
    assertEquals("cp/k\nb\n", ok("get", "cp/k", "--rev=" + (current - 1)));
    fails("etcdserver: mvcc: required revision has been compacted", "compaction", String.valueOf(current - 1));
    fails("etcdserver: mvcc: required revision is a future revision", "compaction", String.valueOf(current + 100));
    assertEquals("compacted revision " + current + "\n", ok("compaction", "--physical", String.valueOf(current)));
    assertEquals("cp/k\nc\n", ok("get", "cp/k"));
  }

  @Test
  void serverSideErrorsReachTheClient() {
    fails("etcdserver: key is not provided", "get", "");
    fails("etcdserver: requested lease not found", "put", "er/k", "v", "--lease=1234");
    fails("etcdserver: key not found", "put", "er/missing", "--ignore-value");
  }

  @Test
  void endpointStatusReportsLeaderRevisionAndRaftIndex() {
    long revision = json("put", "st/k", "v", "-w", "json").path("header").path("revision").asLong();
    JsonNode statuses = json("endpoint", "status", "-w", "json");
    assertEquals(1, statuses.size(), statuses::toString);
    assertEquals(server.clientUrl(), statuses.path(0).path("Endpoint").asText());
    JsonNode status = statuses.path(0).path("Status");
    assertEquals(revision, status.path("header").path("revision").asLong(), status::toString);
    assertEquals(status.path("header").path("member_id").asText(), status.path("leader").asText(),
        "a single member leads itself: " + status);
    assertTrue(status.path("raftIndex").asLong() > 0, status::toString);
    assertTrue(status.path("raftTerm").asLong() >= 1, status::toString);
    assertTrue(status.path("raftAppliedIndex").asLong() > 0, status::toString);
    assertTrue(status.path("dbSize").asLong() > 0, status::toString);
    assertFalse(status.has("errors"), status::toString);
    String serverVersion = server.http().get("/version").json().path("etcdserver").asText();
    assertEquals(serverVersion, status.path("version").asText(), status::toString);

    String memberHex = Long.toHexString(Long.parseUnsignedLong(status.path("header").path("member_id").asText()));
    String table = ok("endpoint", "status");
    Pattern line = Pattern.compile(Pattern.quote(server.clientUrl() + ", " + memberHex + ", " + serverVersion + ", ")
        + "[0-9.]+ [kMG]?B, true, false, \\d+, \\d+, \\d+, \n");
    assertTrue(line.matcher(table).matches(), table);
  }

  @Test
  void memberListShowsTheSingleStartedMember() {
    JsonNode list = json("member", "list", "-w", "json");
    JsonNode members = list.path("members");
    assertEquals(1, members.size(), list::toString);
    JsonNode member = members.path(0);
    assertEquals(list.path("header").path("member_id").asText(), member.path("ID").asText(), list::toString);
    assertTrue(list.path("header").path("cluster_id").isNumber(), list::toString);
    assertFalse(list.path("header").has("revision"), "cluster responses carry no revision: " + list);
    assertEquals("ctl", member.path("name").asText(), list::toString);
    assertEquals(Json.arr(server.peerUrl()), member.path("peerURLs"), list::toString);
    assertEquals(Json.arr(server.clientUrl()), member.path("clientURLs"), list::toString);
    assertFalse(member.path("isLearner").asBoolean(), list::toString);

    String hex = Long.toHexString(Long.parseUnsignedLong(member.path("ID").asText()));
    assertEquals(hex + ", started, ctl, " + server.peerUrl() + ", " + server.clientUrl() + ", false\n",
        ok("member", "list"));
  }

  @Test
  void endpointHealthCommitsAProposal() {
    Etcdctl.Result result = etcdctl.run("endpoint", "health");
    assertEquals(0, result.exitCode(), result::toString);
    // etcdctl 3.4 prints the health line on stderr
    Pattern healthy = Pattern.compile(Pattern.quote(server.clientUrl())
        + " is healthy: successfully committed proposal: took = \\S+\n");
    assertTrue(healthy.matcher(result.stderr()).matches(), result::toString);

    JsonNode json = json("endpoint", "health", "-w", "json");
    assertEquals(server.clientUrl(), json.path(0).path("endpoint").asText(), json::toString);
    assertTrue(json.path(0).path("health").asBoolean(), json::toString);
  }

  private static String ok(String... args) {
    return ok(args, null);
  }

  private static String ok(String[] args, String stdin) {
    Etcdctl.Result result = etcdctl.runWithStdin(stdin, args);
    assertEquals(0, result.exitCode(), () -> "etcdctl " + String.join(" ", args) + " -> " + result);
    return result.stdout();
  }

  private static JsonNode json(String... args) {
    return Json.parse(ok(args));
  }

  private static String txn(String script, String... flags) {
    String[] args = new String[flags.length + 1];
    args[0] = "txn";
    System.arraycopy(flags, 0, args, 1, flags.length);
    return ok(args, script);
  }

  private static void fails(String serverError, String... args) {
    assertFailure(etcdctl.run(args), serverError);
  }

  /** etcdctl exits 1 and ends stderr with "Error: <server message>" (after a retry warning in JSON). */
  private static void assertFailure(Etcdctl.Result result, String serverError) {
    assertEquals(1, result.exitCode(), result::toString);
    String[] lines = result.stderr().strip().split("\n");
    assertEquals("Error: " + serverError, lines[lines.length - 1], result::toString);
    assertEquals("", result.stdout(), result::toString);
  }
}
