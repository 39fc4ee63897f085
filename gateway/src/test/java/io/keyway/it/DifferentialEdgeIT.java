package io.keyway.it;

import static io.keyway.it.Json.arr;
import static io.keyway.it.Json.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real etcd and Keyway side by side on requests the KV differential cannot express: raw request lines (Go's
 * path decoding, cleaning and redirects; prefixes etcd no longer serves), and member changes whose bodies name
 * each server's own peer URL. Member ids, cluster ids and raft terms are dropped before comparing.
 */
class DifferentialEdgeIT {
  private static ServerPair servers;
  private static EtcdProcess etcd;
  private static KeywayProcess keyway;

  @BeforeAll
  static void startServers() {
    servers = ServerPair.start("edge-diff");
    keyway = servers.keyway;
    etcd = servers.etcd;
  }

  @AfterAll
  static void stopServers() {
    ServerPair.close(servers);
  }

  /** One raw HTTP/1.1 exchange reduced to what must match: status line, the headers below, and the body. */
  private static String exchange(ServerProcess server, String method, String rawPath, String body) {
    URI url = URI.create(server.clientUrl());
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((method + " " + rawPath + " HTTP/1.1\r\nHost: " + url.getAuthority()
          + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
          .getBytes(StandardCharsets.ISO_8859_1));
      java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
          received.write(buffer, 0, n);
        }
      } catch (java.net.SocketException reset) {
        // Go's server answers a malformed request line, then resets the connection with the body unread
      }
      return normalise(received.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + rawPath + " to " + server, e);
    }
  }

  private static String normalise(String response) {
    int end = response.indexOf("\r\n\r\n");
    String[] head = response.substring(0, end).split("\r\n");
    String body = response.substring(end + 4);
    StringBuilder out = new StringBuilder(head[0]);
    java.util.TreeMap<String, String> kept = new java.util.TreeMap<>(); // header order is not part of HTTP
    for (int i = 1; i < head.length; i++) {
      String name = head[i].substring(0, head[i].indexOf(':')).toLowerCase(Locale.ROOT);
      if (List.of("content-type", "location", "allow", "x-content-type-options", "grpc-metadata-content-type")
          .contains(name)) {
        kept.put(name, head[i].substring(head[i].indexOf(':') + 1).trim());
      }
    }
    kept.forEach((name, value) -> out.append('\n').append(name).append(':').append(value));
    if (kept.containsKey("content-type") && kept.get("content-type").equals("application/json")) {
      // Debian's etcd 3.4 sends errors chunked with a trailer (upstream 3.5 only when asked with TE: trailers)
      // and orders the error fields differently: compare the JSON itself
      if (response.substring(0, end).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
        body = body.substring(body.indexOf("\r\n") + 2, body.indexOf("\r\n0\r\n"));
      }
      body = sorted(EtcdJson.withoutMemberIds(Json.parse(body))).toString();
    }
    return out.append("\n\n").append(body).toString();
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      java.util.TreeMap<String, JsonNode> fields = new java.util.TreeMap<>();
      node.fields().forEachRemaining(f -> fields.put(f.getKey(), sorted(f.getValue())));
      ObjectNode out = Json.MAPPER.createObjectNode();
      fields.forEach(out::set);
      return out;
    }
    return node;
  }

  @Test
  void rawRequestLinesAreRoutedLikeGosMux() {
    String range = "{\"key\":\"" + Json.b64("edge") + "\"}";
    List<String[]> requests = List.of(
        new String[] {"POST", "/v3"},
        new String[] {"GET", "/v3"},
        new String[] {"POST", "/v3?x=1&y"},
        new String[] {"POST", "/v3/"},
        new String[] {"POST", "/v3//"},
        new String[] {"POST", "/v3//kv/range"},
        new String[] {"POST", "/v3/./kv/range"},
        new String[] {"POST", "/v3/kv/../kv/range?q=1"},
        new String[] {"POST", "/v3/kv/range/."},
        new String[] {"POST", "/v3beta//kv/range"},
        new String[] {"POST", "//v3/kv/range"},
        new String[] {"POST", "/%2e%2e/v3/kv/range"},
        new String[] {"GET", "/version/."},
        new String[] {"POST", "/v3/kv/%72ange"},
        new String[] {"POST", "/v3%2Fkv/range"},
        new String[] {"POST", "/vers%69on"},
        new String[] {"POST", "/v3/kv/range%2F"},
        new String[] {"POST", "/v3beta"},
        new String[] {"POST", "/v3%zz"},
        new String[] {"OPTIONS", "/v3//kv/range"},
        new String[] {"POST", "/v3/lease/revoke"}, // an RPC error: no header metadata
        new String[] {"POST", "/v3/lease/timetolive"}); // an RPC success: Grpc-Metadata-Content-Type
    List<String> differences = new ArrayList<>();
    for (String[] r : requests) {
      String expected = exchange(etcd, r[0], r[1], range);
      String actual = exchange(keyway, r[0], r[1], range);
      if (!expected.equals(actual)) {
        differences.add(r[0] + " " + r[1] + "\n--- etcd:\n" + expected + "\n--- keyway:\n" + actual);
      }
    }
    assertEquals(List.of(), differences);
  }

  /** A member change, each server given its own peer URL where {@code self} is true. */
  private static void memberStep(List<String> differences, String label, String route, boolean ownPeerUrl,
      String otherPeerUrl, boolean learner, long[] learnerIds) {
    String[] results = new String[2];
    ServerProcess[] servers = {etcd, keyway};
    for (int i = 0; i < 2; i++) {
      ObjectNode body = switch (route) {
        case "/v3/cluster/member/add" -> obj("peerURLs", arr(ownPeerUrl ? servers[i].peerUrl() : otherPeerUrl),
            "isLearner", learner);
        case "/v3/cluster/member/remove", "/v3/cluster/member/promote" -> obj("ID", Long.toUnsignedString(learnerIds[i]));
        default -> obj();
      };
      HttpResult result = servers[i].http().post(route, body);
      JsonNode json = Json.parse(result.body());
      if (route.equals("/v3/cluster/member/add") && result.status() == 200) {
        learnerIds[i] = Long.parseUnsignedLong(json.path("member").path("ID").asText());
      }
      int status = result.status() == 412 && json.path("code").asInt() == 9 ? 400 : result.status(); // Debian 3.4
      results[i] = status + " " + withoutIds(EtcdJson.withoutMemberIds(json), servers[i]);
    }
    // field order of error bodies differs between etcd 3.4 and 3.5: compare as JSON
    String[] etcdParts = results[0].split(" ", 2);
    String[] keywayParts = results[1].split(" ", 2);
    if (!etcdParts[0].equals(keywayParts[0]) || !Json.parse(etcdParts[1]).equals(Json.parse(keywayParts[1]))) {
      differences.add(label + "\n  etcd:   " + results[0] + "\n  keyway: " + results[1]);
    }
  }

  /**
   * Member ids are random and peer/client URLs are each server's own: replaced by placeholders. etcd lists
   * members by id, so with random ids the list is compared in a fixed order of its own.
   */
  private static String withoutIds(JsonNode json, ServerProcess server) {
    JsonNode replaced = Json.parse(json.toString().replaceAll("\"ID\":\"\\d+\"", "\"ID\":\"<id>\"")
        .replace(server.peerUrl(), "<own peer url>").replace(server.clientUrl(), "<own client url>")
        .replace("\"name\":\"" + server.memberName() + "\"", "\"name\":\"<name>\""));
    if (replaced.path("members").isArray()) {
      List<String> members = new ArrayList<>();
      replaced.path("members").forEach(m -> members.add(m.toString()));
      members.sort(null);
      com.fasterxml.jackson.databind.node.ArrayNode sorted = ((ObjectNode) replaced).putArray("members");
      members.forEach(m -> sorted.add(Json.parse(m)));
    }
    return replaced.toString();
  }

  @Test
  void memberChangesOnASingleMember() {
    List<String> differences = new ArrayList<>();
    long[] ids = new long[2];
    String spare = "http://127.0.0.1:" + FreePorts.next();
    memberStep(differences, "list", "/v3/cluster/member/list", false, null, false, ids);
    memberStep(differences, "add a voter with the member's own peer URL", "/v3/cluster/member/add", true, null, false,
        ids);
    memberStep(differences, "add a learner with the member's own peer URL", "/v3/cluster/member/add", true, null,
        true, ids);
    memberStep(differences, "add a learner", "/v3/cluster/member/add", false, spare, true, ids);
    memberStep(differences, "a second learner", "/v3/cluster/member/add", false,
        "http://127.0.0.1:" + FreePorts.next(), true, ids);
    // a member's id hashes its peer URLs with the time in seconds: within the second of the learner's add the
    // same URL gets "member ID already exist", later "Peer URLs already exists" (on either server)
    ServerProcess.sleep(1100);
    memberStep(differences, "the learner's peer URL again", "/v3/cluster/member/add", false, spare, false, ids);
    memberStep(differences, "list with the learner", "/v3/cluster/member/list", false, null, false, ids);
    memberStep(differences, "remove the learner", "/v3/cluster/member/remove", false, null, false, ids);
    memberStep(differences, "remove it again", "/v3/cluster/member/remove", false, null, false, ids);
    memberStep(differences, "promote the removed learner", "/v3/cluster/member/promote", false, null, false, ids);
    assertEquals(List.of(), differences);
  }
}
