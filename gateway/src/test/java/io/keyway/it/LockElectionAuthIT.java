package io.keyway.it;

import static io.keyway.it.Json.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.keyway.api.v3electionpb.ElectionGrpcClient;
import io.keyway.api.v3electionpb.LeaderKey;
import io.keyway.api.v3electionpb.LeaderRequest;
import io.keyway.api.v3electionpb.ProclaimRequest;
import io.keyway.api.v3electionpb.ResignRequest;
import io.keyway.api.v3lockpb.LockGrpcClient;
import io.keyway.api.v3lockpb.LockRequest;
import io.keyway.api.v3lockpb.UnlockRequest;
import io.keyway.gateway.testing.GrpcProbe;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.ServiceMethod;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may do what through etcd's Lock and Election services with auth on: every call × {no token, a garbage
 * token, a user without roles, a user with READ on {@code r/} and WRITE-only on {@code wo/k}, a user with
 * READWRITE on {@code p/}, root}, over the HTTP gateway (and a sample over gRPC), against Keyway and real etcd
 * side by side.
 *
 * <p>The model: a call may do what the KV requests it makes may do (a compare or range needs READ, a put or
 * delete WRITE, a put attaching a lease WRITE on the lease's keys too), and is refused with the error of the
 * first request refused, reported as etcd's lock and election servers report their client's errors (gRPC
 * Unknown, HTTP 500); a refused Observe just ends. The oracle must give the model's answer too, except where
 * Keyway follows etcd 3.5.32+ (CVE-2026-33343) and 3.4.23 lets a txn put attach a lease whose keys the caller
 * may not write. Nothing about a key the caller may not read shows: a right and a wrong guess of its create
 * revision get the same answer and change nothing.
 */
class LockElectionAuthIT {
  /** In the order the cases run them: root last, so its writes cannot make a case moot for the others. */
  private enum Who { NO_TOKEN, GARBAGE, NO_ROLES, MIXED, READWRITE, ROOT }

  private static final Set<Who> NOBODY = EnumSet.noneOf(Who.class);
  private static final Set<Who> ALL = EnumSet.allOf(Who.class);
  private static final Set<Who> NOT_ROOT = EnumSet.complementOf(EnumSet.of(Who.ROOT));
  private static final Set<Who> P_WRITERS = EnumSet.of(Who.READWRITE, Who.ROOT);
  private static final Set<Who> ROOT_ONLY = EnumSet.of(Who.ROOT);
  private static final Set<Who> R_READERS = EnumSet.of(Who.MIXED, Who.ROOT);
  private static final String OK = "200";
  private static final String NOT_LEADER = "500 2 election: not leader";
  private static final String ENDED = "ended";

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static ServerPair servers;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    // hashing passwords at etcd's default cost (10) takes seconds on a busy machine
    servers = ServerPair.start("recipes-auth", "--bcrypt-cost=4");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close();
    }
    ServerPair.close(servers);
  }

  /** One server under the matrix: its headers per identity and what the setup left there. */
  private static final class Side {
    final ServerProcess server;
    final GrpcProbe grpc;
    final Map<Who, Map<String, String>> headers = new EnumMap<>(Who.class);
    final Map<Who, String> tokens = new EnumMap<>(Who.class);
    String badLease; // holds secret/2, which only root may write
    String goodLease; // holds p/lk
    String wokRev; // create revision of wo/k, which MIXED may write but not read
    JsonNode rootLeader; // root's candidacy in election p/e

    Side(ServerProcess server) {
      this.server = server;
      this.grpc = new GrpcProbe(vertx, URI.create(server.clientUrl()).getPort());
    }

    HttpResult post(Who who, String path, String body) {
      return server.http().post(path, body, headers.get(who));
    }

    JsonNode ok(String path, String body) {
      HttpResult r = post(Who.ROOT, path, body);
      assertEquals(200, r.status(), () -> server + " " + path + " " + body + ": " + r);
      return r.json();
    }

    JsonNode get(String key) {
      return ok("/v3/kv/range", "{\"key\":\"" + b64(key) + "\"}").path("kvs").path(0);
    }
  }

  private static Side setUp(ServerProcess server) {
    // over the JSON gateway rather than etcdctl: one process start per step would cost seconds on a busy box
    HttpJson http = server.http();
    for (String[] step : new String[][] {
        {"/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"rootpw\"}"},
        {"/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}"},
        {"/v3/auth/role/add", "{\"name\":\"rw\"}"}, grant("rw", "READWRITE", "p/", Json.prefixEnd("p/")),
        {"/v3/auth/role/add", "{\"name\":\"mixed\"}"}, grant("mixed", "READ", "r/", Json.prefixEnd("r/")),
        grant("mixed", "WRITE", "wo/k", null),
        {"/v3/auth/user/add", "{\"name\":\"rw\",\"password\":\"rwpw\"}"},
        {"/v3/auth/user/grant", "{\"user\":\"rw\",\"role\":\"rw\"}"},
        {"/v3/auth/user/add", "{\"name\":\"mixed\",\"password\":\"mpw\"}"},
        {"/v3/auth/user/grant", "{\"user\":\"mixed\",\"role\":\"mixed\"}"},
        {"/v3/auth/user/add", "{\"name\":\"noroles\",\"password\":\"npw\"}"},
        {"/v3/kv/put", put("p/x")}, {"/v3/kv/put", put("r/x")}, {"/v3/kv/put", put("wo/k")},
        {"/v3/auth/enable", "{}"}}) {
      HttpResult r = http.post(step[0], step[1]);
      assertEquals(200, r.status(), () -> server + " " + step[0] + " " + step[1] + ": " + r);
    }
    Side side = new Side(server);
    side.headers.put(Who.NO_TOKEN, Map.of());
    side.tokens.put(Who.GARBAGE, "garbage.1");
    side.tokens.put(Who.NO_ROLES, token(server, "noroles", "npw"));
    side.tokens.put(Who.MIXED, token(server, "mixed", "mpw"));
    side.tokens.put(Who.READWRITE, token(server, "rw", "rwpw"));
    side.tokens.put(Who.ROOT, token(server, "root", "rootpw"));
    side.tokens.forEach((who, token) -> side.headers.put(who, Map.of("Authorization", token)));
    side.badLease = side.ok("/v3/lease/grant", "{\"TTL\":\"600\"}").path("ID").asText();
    side.ok("/v3/kv/put", "{\"key\":\"" + b64("secret/2") + "\",\"lease\":\"" + side.badLease + "\"}");
    side.goodLease = side.ok("/v3/lease/grant", "{\"TTL\":\"600\"}").path("ID").asText();
    side.ok("/v3/kv/put", "{\"key\":\"" + b64("p/lk") + "\",\"lease\":\"" + side.goodLease + "\"}");
    side.wokRev = side.get("wo/k").path("create_revision").asText();
    side.rootLeader = side.ok("/v3/election/campaign", "{\"name\":\"" + b64("p/e") + "\",\"value\":\"" + b64("v")
        + "\"}").path("leader");
    return side;
  }

  private static String[] grant(String role, String type, String key, String rangeEnd) {
    return new String[] {"/v3/auth/role/grant", "{\"name\":\"" + role + "\",\"perm\":{\"permType\":\"" + type
        + "\",\"key\":\"" + b64(key) + "\"" + (rangeEnd == null ? "" : ",\"range_end\":\"" + b64(rangeEnd) + "\"")
        + "}}"};
  }

  private static String put(String key) {
    return "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64("v") + "\"}";
  }

  private static String token(ServerProcess server, String user, String password) {
    HttpResult r = server.http().post("/v3/auth/authenticate",
        "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}");
    assertEquals(200, r.status(), r::toString);
    return r.json().path("token").asText();
  }

  /**
   * One call made by each of {@code callers}: {@code allowed} get {@code allowedAnswer}, the others
   * {@code refused} for their identity; the oracle (etcd 3.4.23) lets {@code etcd34AlsoAllows} through as well.
   */
  private record Case(String name, Set<Who> callers, Set<Who> allowed, String allowedAnswer,
      Function<Who, String> refused, Set<Who> etcd34AlsoAllows, BiFunction<Side, Who, String> call) {

    String expected(Who who, boolean etcd34) {
      return allowed.contains(who) || etcd34 && etcd34AlsoAllows.contains(who) ? allowedAnswer : refused.apply(who);
    }
  }

  /** How etcd's lock and election servers report the refusal of their client's request: Unknown, HTTP 500. */
  private static String refusal(Who who) {
    return "500 2 etcdserver: " + switch (who) {
      case NO_TOKEN -> "user name is empty";
      case GARBAGE -> "invalid auth token";
      default -> "permission denied";
    };
  }

  private static Case post(String name, Set<Who> allowed, String path, BiFunction<Side, Who, String> body) {
    return post(name, ALL, allowed, OK, NOBODY, path, body);
  }

  private static Case post(String name, Set<Who> callers, Set<Who> allowed, String allowedAnswer,
      Set<Who> etcd34AlsoAllows, String path, BiFunction<Side, Who, String> body) {
    return new Case(name, callers, allowed, allowedAnswer, LockElectionAuthIT::refusal, etcd34AlsoAllows,
        (side, who) -> answer(side.post(who, path, body.apply(side, who))));
  }

  /** Observe reads the election's leader as the caller; refused, the stream just ends (etcd's too). */
  private static Case observe(String name, Set<Who> allowed, String election, String leader) {
    return new Case(name, ALL, allowed, "leader " + leader, who -> ENDED, NOBODY,
        (side, who) -> observe(side, who, election));
  }

  private static String answer(HttpResult r) {
    if (r.status() == 200) {
      return OK;
    }
    JsonNode error = r.json();
    return r.status() + " " + error.path("code").asInt() + " " + error.path("message").asText();
  }

  private static String name(String name) {
    return "{\"name\":\"" + b64(name) + "\"}";
  }

  private static String named(String name, String lease) {
    return "{\"name\":\"" + b64(name) + "\",\"value\":\"" + b64("v") + "\",\"lease\":\"" + lease + "\"}";
  }

  private static String leader(String name, String key, String rev, String lease) {
    return "{\"leader\":{\"name\":\"" + b64(name) + "\",\"key\":\"" + b64(key) + "\",\"rev\":\"" + rev
        + "\",\"lease\":\"" + lease + "\"},\"value\":\"" + b64("proclaimed") + "\"}";
  }

  private static String rootLeader(Side side, boolean rightRev, String lease) {
    JsonNode l = side.rootLeader;
    long rev = l.path("rev").asLong() + (rightRev ? 0 : 1000);
    return "{\"leader\":{\"name\":\"" + l.path("name").asText() + "\",\"key\":\"" + l.path("key").asText()
        + "\",\"rev\":\"" + rev + "\",\"lease\":\"" + lease + "\"},\"value\":\"" + b64("by-" + lease) + "\"}";
  }

  private static String wrongRev(Side side) {
    return String.valueOf(Long.parseLong(side.wokRev) + 1000);
  }

  private static String low(Who who) {
    return who.name().toLowerCase().replace('_', '-');
  }

  private static List<Case> cases() {
    return List.of(
        // Lock: a txn comparing and reading under name/ (READ on the prefix) and putting name/<lease> (WRITE)
        post("lock", P_WRITERS, "/v3/lock/lock", (s, w) -> name("p/l-" + low(w))),
        post("lock with a lease on writable keys", P_WRITERS, "/v3/lock/lock",
            (s, w) -> named("p/lg-" + low(w), s.goodLease)),
        post("lock with a lease on keys only root may write", ALL, ROOT_ONLY, OK, EnumSet.of(Who.READWRITE),
            "/v3/lock/lock", (s, w) -> named("p/lb-" + low(w), s.badLease)),
        post("lock where only reading is allowed", ROOT_ONLY, "/v3/lock/lock", (s, w) -> name("r/l-" + low(w))),
        // Unlock: a delete (WRITE)
        post("unlock", P_WRITERS, "/v3/lock/unlock", (s, w) -> "{\"key\":\"" + b64("p/unlocked") + "\"}"),
        post("unlock where only reading is allowed", ROOT_ONLY, "/v3/lock/unlock",
            (s, w) -> "{\"key\":\"" + b64("r/unlocked") + "\"}"),
        // Campaign: like a lock, with the value
        post("campaign", P_WRITERS, "/v3/election/campaign", (s, w) -> named("p/c-" + low(w), "0")),
        post("campaign with a lease on keys only root may write", ALL, ROOT_ONLY, OK, EnumSet.of(Who.READWRITE),
            "/v3/election/campaign", (s, w) -> named("p/cb-" + low(w), s.badLease)),
        post("campaign where only reading is allowed", ROOT_ONLY, "/v3/election/campaign",
            (s, w) -> named("r/c-" + low(w), "0")),
        // Leader: a range over name/ (READ)
        post("leader", P_WRITERS, "/v3/election/leader", (s, w) -> name("p/e")),
        post("leader where only reading is allowed", R_READERS, "/v3/election/leader", (s, w) -> name("r")),
        post("leader where only writing is allowed", ROOT_ONLY, "/v3/election/leader", (s, w) -> name("wo")),
        // Proclaim and Resign: a txn comparing the key's create revision (READ), then a put or delete (WRITE);
        // wo/k is the MIXED user's write-only key, guessed at by everyone but root
        post("proclaim guessing right", NOT_ROOT, NOBODY, OK, NOBODY, "/v3/election/proclaim",
            (s, w) -> leader("wo", "wo/k", s.wokRev, "0")),
        post("proclaim guessing wrong", NOT_ROOT, NOBODY, OK, NOBODY, "/v3/election/proclaim",
            (s, w) -> leader("wo", "wo/k", wrongRev(s), "0")),
        post("resign guessing right", NOT_ROOT, NOBODY, OK, NOBODY, "/v3/election/resign",
            (s, w) -> leader("wo", "wo/k", s.wokRev, "0")),
        post("resign guessing wrong", NOT_ROOT, NOBODY, OK, NOBODY, "/v3/election/resign",
            (s, w) -> leader("wo", "wo/k", wrongRev(s), "0")),
        // ... and root's leadership of p/e, which the READWRITE user may read and write
        post("proclaim", ALL, P_WRITERS, OK, NOBODY, "/v3/election/proclaim",
            (s, w) -> rootLeader(s, true, s.rootLeader.path("lease").asText())),
        post("proclaim with a wrong revision", ALL, P_WRITERS, NOT_LEADER, NOBODY, "/v3/election/proclaim",
            (s, w) -> rootLeader(s, false, s.rootLeader.path("lease").asText())),
        post("proclaim with a lease on keys only root may write", ALL, ROOT_ONLY, OK, EnumSet.of(Who.READWRITE),
            "/v3/election/proclaim", (s, w) -> rootLeader(s, true, s.badLease)),
        post("proclaim with lease 0", ALL, P_WRITERS, OK, NOBODY, "/v3/election/proclaim",
            (s, w) -> rootLeader(s, true, "0")),
        observe("observe", P_WRITERS, "p/e", "p/e/"),
        observe("observe where only reading is allowed", R_READERS, "r", "r/x"),
        observe("observe where only writing is allowed", ROOT_ONLY, "wo", "wo/k"),
        post("resign with a wrong revision", ALL, P_WRITERS, OK, NOBODY, "/v3/election/resign",
            (s, w) -> rootLeader(s, false, "0")),
        post("resign", ALL, P_WRITERS, OK, NOBODY, "/v3/election/resign",
            (s, w) -> rootLeader(s, true, s.rootLeader.path("lease").asText())),
        // a delete needs no READ: the MIXED user may unlock (delete) its write-only key
        post("unlock where only writing is allowed", EnumSet.of(Who.MIXED, Who.ROOT), "/v3/lock/unlock",
            (s, w) -> "{\"key\":\"" + b64("wo/k") + "\"}"));
  }

  /** "leader <key>" for the first leader an Observe stream sends, or {@link #ENDED} when it ends without one. */
  private static String observe(Side side, Who who, String name) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(side.server.clientUrl() + "/v3/election/observe"))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(name(name)));
    side.headers.get(who).forEach(request::header);
    try {
      HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        String first = CompletableFuture.supplyAsync(() -> {
          try {
            return lines.readLine();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }).get(10, TimeUnit.SECONDS);
        if (response.statusCode() != 200) {
          return response.statusCode() + " " + first;
        }
        if (first == null || first.isBlank()) {
          return ENDED;
        }
        String key = Json.unb64(Json.parse(first).path("result").path("kv").path("key").asText());
        // a candidacy key ends in the session's lease id, which differs between the servers
        return "leader " + (key.startsWith("p/e/") ? "p/e/" : key);
      }
    } catch (Exception e) {
      throw new AssertionError(side.server + " observe " + name + " as " + who + ": " + e, e);
    }
  }

  @Test
  void everyLockAndElectionCallForEveryCaller() {
    Side keyway = setUp(servers.keyway);
    Side etcd = setUp(servers.etcd);
    List<String> mismatches = new ArrayList<>();
    Map<String, String> keywayAnswers = new LinkedHashMap<>();
    for (Case c : cases()) {
      for (Who who : c.callers()) {
        for (Side side : List.of(keyway, etcd)) {
          boolean oracle = side == etcd;
          String answer = c.call().apply(side, who);
          String expected = c.expected(who, oracle);
          if (!answer.equals(expected)) {
            mismatches.add(side.server.kind() + ": " + c.name() + " as " + who + ": expected " + expected + ", got "
                + answer);
          }
          if (!oracle) {
            keywayAnswers.put(c.name() + " as " + who, answer);
          }
        }
      }
      if (c.name().equals("resign guessing wrong")) {
        for (Side side : List.of(keyway, etcd)) {
          JsonNode wok = side.get("wo/k");
          assertEquals(List.of("v", side.wokRev, 0L), List.of(Json.unb64(wok.path("value").asText()),
              wok.path("mod_revision").asText(), wok.path("lease").asLong()), side.server + ": wo/k was changed");
        }
      }
      if (c.name().equals("proclaim with lease 0")) {
        // etcd's Proclaim opens a session for the request's lease, granting one for lease 0 (as the caller),
        // and the put attaches it: the leader key leaves root's lease for a new one, on both servers
        for (Side side : List.of(keyway, etcd)) {
          long attached = side.get(Json.unb64(side.rootLeader.path("key").asText())).path("lease").asLong();
          assertNotEquals(0L, attached, side.server.toString());
          assertNotEquals(side.rootLeader.path("lease").asLong(), attached, side.server.toString());
        }
      }
    }
    assertEquals(List.of(), mismatches);
    for (Who who : NOT_ROOT) {
      assertEquals(keywayAnswers.get("proclaim guessing right as " + who),
          keywayAnswers.get("proclaim guessing wrong as " + who), who.toString());
      assertEquals(keywayAnswers.get("resign guessing right as " + who),
          keywayAnswers.get("resign guessing wrong as " + who), who.toString());
    }
    grpcSample(keyway, etcd);
  }

  /** The gRPC path runs the same checks: a sample of the matrix, answered alike by both servers. */
  private static void grpcSample(Side keyway, Side etcd) {
    for (Side side : List.of(keyway, etcd)) {
      Map<String, String> answers = new LinkedHashMap<>();
      LeaderKey right = LeaderKey.newBuilder().setName(bytes("wo")).setKey(bytes("r/x"))
          .setRev(side.get("r/x").path("create_revision").asLong()).build();
      LeaderKey wrong = right.toBuilder().setRev(right.getRev() + 1000).build();
      answers.put("leader r as MIXED", grpc(side, Who.MIXED, ElectionGrpcClient.Leader,
          LeaderRequest.newBuilder().setName(bytes("r")).build()));
      answers.put("proclaim right as MIXED", grpc(side, Who.MIXED, ElectionGrpcClient.Proclaim,
          ProclaimRequest.newBuilder().setLeader(right).setValue(bytes("x")).build()));
      answers.put("proclaim wrong as MIXED", grpc(side, Who.MIXED, ElectionGrpcClient.Proclaim,
          ProclaimRequest.newBuilder().setLeader(wrong).setValue(bytes("x")).build()));
      answers.put("resign right as READWRITE", grpc(side, Who.READWRITE, ElectionGrpcClient.Resign,
          ResignRequest.newBuilder().setLeader(right).build()));
      answers.put("lock as READWRITE", grpc(side, Who.READWRITE, LockGrpcClient.Lock,
          LockRequest.newBuilder().setName(bytes("p/grpc")).build()));
      answers.put("lock as MIXED", grpc(side, Who.MIXED, LockGrpcClient.Lock,
          LockRequest.newBuilder().setName(bytes("r/grpc")).build()));
      answers.put("unlock as NO_TOKEN", grpc(side, Who.NO_TOKEN, LockGrpcClient.Unlock,
          UnlockRequest.newBuilder().setKey(bytes("p/x")).build()));
      answers.put("leader r as GARBAGE", grpc(side, Who.GARBAGE, ElectionGrpcClient.Leader,
          LeaderRequest.newBuilder().setName(bytes("r")).build()));
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("leader r as MIXED", "OK");
      expected.put("proclaim right as MIXED", "UNKNOWN etcdserver: permission denied");
      expected.put("proclaim wrong as MIXED", "UNKNOWN etcdserver: permission denied");
      expected.put("resign right as READWRITE", "UNKNOWN etcdserver: permission denied");
      expected.put("lock as READWRITE", "OK");
      expected.put("lock as MIXED", "UNKNOWN etcdserver: permission denied");
      expected.put("unlock as NO_TOKEN", "UNKNOWN etcdserver: user name is empty");
      expected.put("leader r as GARBAGE", "UNKNOWN etcdserver: invalid auth token");
      assertEquals(expected, answers, side.server.toString());
      assertEquals("v", Json.unb64(side.get("r/x").path("value").asText()), side.server.toString());
    }
  }

  private static <Req, Resp> String grpc(Side side, Who who, ServiceMethod<Resp, Req> method, Req request) {
    String token = side.tokens.get(who);
    GrpcProbe.Reply<Resp> reply = side.grpc.call(method, request, token == null ? Map.of() : Map.of("token", token));
    return reply.status().name().equals("OK") ? "OK" : reply.status().name() + " " + reply.message();
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
