package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Leases driven with the real etcdctl 3.4.23 and the HTTP gateway against the Keyway executable, side by side
 * with real etcd: the same steps run on both, and every deterministic output (lease ids and remaining seconds
 * normalised) must be identical.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaseIT {
  private static final Pattern GRANTED = Pattern.compile("lease ([0-9a-f]+) granted with TTL\\((\\d+)s\\)\n");
  private static final Pattern REMAINING = Pattern.compile("remaining\\((\\d+)s\\)");
  private static final Pattern ATTACHED = Pattern.compile("attached keys\\(\\[([^\\]]+)\\]\\)");

  private static ServerPair servers;
  private static ServerProcess keyway;
  private static ServerProcess etcd;

  @BeforeAll
  static void startServers() {
    servers = ServerPair.start("lease");
    keyway = servers.keyway;
    etcd = servers.etcd;
  }

  @AfterAll
  static void stopServers() {
    ServerPair.close(servers);
  }

  /** One etcdctl step's observable outcome: exit code, stdout, last line of stderr (ids normalised). */
  private record Step(String command, int exitCode, String stdout, String lastError) {}

  /** Runs the steps of a scenario and keeps what a user sees of each. */
  private static final class Session {
    final Etcdctl ctl;
    final List<Step> steps = new ArrayList<>();
    final List<String> ids = new ArrayList<>();

    Session(ServerProcess server) {
      this.ctl = server.etcdctl();
    }

    /** Runs etcdctl; {@code <idN>} in an argument stands for the N-th lease this session granted. */
    String run(String... args) {
      String[] real = new String[args.length];
      for (int i = 0; i < args.length; i++) {
        real[i] = args[i];
        for (int n = 0; n < ids.size(); n++) {
          real[i] = real[i].replace("<id" + n + ">", ids.get(n));
        }
      }
      Etcdctl.Result r = ctl.run(real);
      Matcher m = GRANTED.matcher(r.stdout());
      if (r.exitCode() == 0 && m.matches()) {
        ids.add(m.group(1));
      }
      String[] errors = r.stderr().strip().split("\n");
      steps.add(new Step(String.join(" ", args), r.exitCode(), normalise(r.stdout()),
          normalise(errors[errors.length - 1])));
      return r.stdout();
    }

    String normalise(String text) {
      String out = text;
      for (int n = 0; n < ids.size(); n++) {
        out = out.replace(ids.get(n), "<id" + n + ">");
      }
      return out;
    }
  }

  private static List<Session> both() {
    return List.of(new Session(keyway), new Session(etcd));
  }

  private static void assertSameSteps(Session keyway, Session etcd) {
    assertEquals(etcd.steps.size(), keyway.steps.size());
    for (int i = 0; i < etcd.steps.size(); i++) {
      assertEquals(etcd.steps.get(i), keyway.steps.get(i), "step " + i + " differs from etcd");
    }
  }

  @Test
  @Order(1)
  void grantAttachTimeToLiveListKeepAliveRevokeAsEtcd() {
    List<Session> sessions = both();
    for (Session s : sessions) {
      s.run("lease", "grant", "10");
      s.run("put", "--lease=<id0>", "lk/a", "1");
      s.run("put", "--lease=<id0>", "lk/b", "2");
      String ttl = s.run("lease", "timetolive", "--keys", "<id0>");
      Matcher remaining = REMAINING.matcher(ttl);
      assertTrue(remaining.find(), ttl);
      long left = Long.parseLong(remaining.group(1));
      assertTrue(left >= 8 && left <= 10, ttl);
      s.steps.set(s.steps.size() - 1, normaliseRemaining(s.steps.get(s.steps.size() - 1)));
      s.run("lease", "list");
      s.run("get", "lk/", "--prefix");
      s.run("lease", "keep-alive", "--once", "<id0>");
      s.run("lease", "revoke", "<id0>");
      s.run("get", "lk/", "--prefix");
      s.run("lease", "timetolive", "<id0>");
      s.run("lease", "list");
      s.run("lease", "revoke", "<id0>");
      s.run("lease", "keep-alive", "--once", "<id0>");
      s.run("put", "--lease=1234", "lk/x", "y");
      s.run("lease", "grant", "0");
      s.run("lease", "grant", "1");
      s.run("lease", "grant", "9000000001");
      s.run("lease", "revoke", "<id1>");
      s.run("lease", "revoke", "<id2>");
    }
    assertEquals("lease <id0> granted with TTL(10s)\n", sessions.get(0).steps.get(0).stdout());
    assertEquals("lease <id0> granted with TTL(10s), remaining(Ns), attached keys([lk/a lk/b])\n",
        sessions.get(0).steps.get(3).stdout());
    assertEquals("lease <id0> keepalived with TTL(10)\n", sessions.get(0).steps.get(6).stdout());
    assertEquals("lease <id0> revoked\n", sessions.get(0).steps.get(7).stdout());
    assertEquals("", sessions.get(0).steps.get(8).stdout(), "the attached keys went with the lease");
    assertEquals("lease <id1> granted with TTL(2s)\n", sessions.get(0).steps.get(14).stdout());
    assertSameSteps(sessions.get(0), sessions.get(1));
  }

  private static Step normaliseRemaining(Step step) {
    String out = REMAINING.matcher(step.stdout()).replaceAll("remaining(Ns)");
    // etcd lists attached keys from a Go map, so their order varies from run to run: compare them as a set
    Matcher keys = ATTACHED.matcher(out);
    if (keys.find()) {
      List<String> sorted = new java.util.ArrayList<>(List.of(keys.group(1).split(" ")));
      java.util.Collections.sort(sorted);
      out = out.substring(0, keys.start(1)) + String.join(" ", sorted) + out.substring(keys.end(1));
    }
    return new Step(step.command(), step.exitCode(), out, step.lastError());
  }

  @Test
  @Order(2)
  void jsonOutputsHaveEtcdsFields() {
    for (ServerProcess server : List.of(keyway, etcd)) {
      Etcdctl ctl = server.etcdctl();
      JsonNode granted = Json.parse(ctl.run("lease", "grant", "30", "-w", "json").stdout());
      assertEquals(30, granted.path("TTL").asLong(), server + ": " + granted);
      assertTrue(granted.path("ID").asLong() > 0, server + ": " + granted);
      String id = Long.toHexString(granted.path("ID").asLong());
      JsonNode keepAlive = Json.parse(ctl.run("lease", "keep-alive", "--once", id, "-w", "json").stdout());
      assertEquals(granted.path("ID").asLong(), keepAlive.path("ID").asLong(), server + ": " + keepAlive);
      assertEquals(30, keepAlive.path("TTL").asLong(), server + ": " + keepAlive);
      JsonNode ttl = Json.parse(ctl.run("lease", "timetolive", id, "-w", "json").stdout());
      assertEquals(30, ttl.path("granted-ttl").asLong(), server + ": " + ttl);
      JsonNode missing = Json.parse(ctl.run("lease", "timetolive", "abcdef", "-w", "json").stdout());
      assertEquals(-1, missing.path("ttl").asLong(), server + ": " + missing);
      assertEquals(0, ctl.run("lease", "revoke", id).exitCode());
    }
  }

  @Test
  @Order(3)
  void keepAliveOverHttpAsEtcd() {
    List<String> bodies = new ArrayList<>();
    for (ServerProcess server : List.of(keyway, etcd)) {
      JsonNode granted = server.http().ok("/v3/lease/grant", Json.obj("TTL", "20"));
      String id = granted.path("ID").asText();
      HttpResult r = server.http().post("/v3/lease/keepalive",
          "{\"ID\":\"" + id + "\"}{\"ID\":\"1\"}\n{\"ID\":" + id + "}");
      assertEquals(200, r.status(), server + ": " + r);
      assertEquals("application/json", r.header("Content-Type"), server + ": " + r);
      bodies.add(r.body().replace(id, "<id>").replaceAll("\"header\":\\{[^}]*\\}", "\"header\":{}"));
      HttpResult empty = server.http().post("/v3/lease/keepalive", "");
      assertEquals(200, empty.status(), server + ": " + empty);
      assertEquals("", empty.body(), server + ": " + empty);
      HttpResult bad = server.http().post("/v3/lease/keepalive", "garbage");
      assertEquals(500, bad.status(), server + ": " + bad);
      assertEquals(2, bad.json().path("code").asInt(), server + ": " + bad);
      server.http().ok("/v3/lease/revoke", Json.obj("ID", id));
    }
    assertEquals("{\"result\":{\"header\":{},\"ID\":\"<id>\",\"TTL\":\"20\"}}\n"
        + "{\"result\":{\"header\":{},\"ID\":\"1\"}}\n"
        + "{\"result\":{\"header\":{},\"ID\":\"<id>\",\"TTL\":\"20\"}}\n", bodies.get(0));
    assertEquals(bodies.get(1), bodies.get(0), "keep-alive over HTTP differs from etcd");
  }

  @Test
  @Order(4)
  void aTwoSecondLeaseExpiresWithItsKeysAsInEtcd() {
    for (ServerProcess server : List.of(keyway, etcd)) {
      Etcdctl ctl = server.etcdctl();
      Matcher m = GRANTED.matcher(ctl.run("lease", "grant", "2").stdout());
      assertTrue(m.matches());
      String id = m.group(1);
      assertEquals(0, ctl.run("put", "--lease=" + id, "exp/a", "1").exitCode());
      assertEquals(0, ctl.run("put", "--lease=" + id, "exp/b", "2").exitCode());
      long revisionBefore = Json.parse(ctl.run("get", "exp/a", "-w", "json").stdout())
          .path("header").path("revision").asLong();
      long started = System.nanoTime();
      while (!ctl.run("get", "exp/", "--prefix").stdout().isEmpty()) {
        long waited = (System.nanoTime() - started) / 1_000_000;
        assertTrue(waited < 5_000, server + ": the 2 s lease still holds its keys after " + waited + " ms");
        ServerProcess.sleep(100);
      }
      long revisionAfter = Json.parse(ctl.run("get", "exp/a", "-w", "json").stdout())
          .path("header").path("revision").asLong();
      assertEquals(revisionBefore + 1, revisionAfter, server + ": both keys go in one revision");
      assertEquals("lease " + id + " already expired\n", ctl.run("lease", "timetolive", id).stdout());
    }
  }
}
