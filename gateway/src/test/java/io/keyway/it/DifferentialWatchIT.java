package io.keyway.it;

import static io.keyway.it.Json.arr;
import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static io.keyway.it.WatchRequests.cancel;
import static io.keyway.it.WatchRequests.create;
import static io.keyway.it.WatchRequests.createPrefix;
import static io.keyway.it.WatchRequests.progress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One watch script played against etcd 3.4.23 and Keyway side by side, over chunked HTTP and over a WebSocket:
 * after every step, the responses each server sent must be the same once cluster id, member id and raft term
 * are dropped (they are random per cluster). Responses that arrive together are compared as a set, because
 * etcd sends the responses of several watchers for one revision in map order.
 *
 * <p>Both servers start empty, so revisions and watch ids line up. The script stays clear of the documented
 * 3.4-vs-3.5 differences (etcd-api.md §4.7): a negative start revision (3.4.23 creates then cancels, 3.5
 * refuses), a progress request on a stream without watchers (3.4 answers, 3.5.13+ does not), and bad input,
 * which the two handle differently by design (covered in WatchHttpIT and WatchWebSocketIT). Transcripts go to
 * {@code it-logs/watch-differential-*.txt}.
 */
class DifferentialWatchIT {
  private static final long IDLE_MILLIS = 300;

  private static EtcdProcess etcd;
  private static KeywayProcess keyway;

  @BeforeAll
  static void startServers() {
    etcd = new EtcdProcess("watch-diff");
    keyway = new KeywayProcess("watch-diff");
    try {
      etcd.start();
      keyway.start();
    } catch (RuntimeException | Error e) {
      stopServers();
      throw e;
    }
  }

  @AfterAll
  static void stopServers() {
    if (etcd != null) {
      etcd.close();
    }
    if (keyway != null) {
      keyway.close();
    }
  }

  /** One side of the comparison: a watch stream over some transport. */
  private interface Channel extends AutoCloseable {
    void send(String request);

    /** The next message as text, or null after {@code millis} without one. */
    String poll(long millis);

    @Override
    void close();
  }

  private static Channel http(ServerProcess server) {
    HttpWatchStream stream = HttpWatchStream.open(server.clientUrl(), "/v3/watch");
    return new Channel() {
      @Override public void send(String request) { stream.send(request); }
      @Override public String poll(long millis) { return stream.nextLine(millis); }
      @Override public void close() { stream.close(); }
    };
  }

  private static Channel webSocket(ServerProcess server) {
    WsWatch ws = WsWatch.connect(server.clientUrl(), "/v3/watch");
    return new Channel() {
      @Override public void send(String request) { ws.sendText(request); }
      @Override public String poll(long millis) { return ws.nextText(millis); }
      @Override public void close() { ws.close(); }
    };
  }

  @Test
  void chunkedHttp() {
    play("http", "dh/", DifferentialWatchIT::http);
  }

  @Test
  void webSocket() {
    play("websocket", "dw/", DifferentialWatchIT::webSocket);
  }

  /** A step of the script: something done to both servers, given what earlier steps returned. */
  private record Step(String name, BiConsumer<Side, Long> action) {}

  /** A server and its watch stream. */
  private record Side(ServerProcess server, Channel channel) {
    long kv(String path, JsonNode body) {
      return EtcdJson.revision(server.http().ok(path, body));
    }
  }

  private void play(String transport, String p, java.util.function.Function<ServerProcess, Channel> open) {
    List<String> transcript = new ArrayList<>();
    long[] marks = new long[2]; // revisions the script refers back to (the same on both servers)
    List<Step> script = List.of(
        new Step("put a", (s, r) -> s.kv("/v3/kv/put", obj("key", b64(p + "a"), "value", b64("1")))),
        new Step("create a", (s, r) -> s.channel().send(create(p + "a"))),
        new Step("create prefix, prev_kv, id 7", (s, r) -> s.channel().send(createPrefix(p, "prev_kv", true,
            "watch_id", "7"))),
        new Step("create a from the first put", (s, r) -> s.channel().send(create(p + "a", "start_revision",
            Long.toString(marks[0])))),
        new Step("put a again", (s, r) -> s.kv("/v3/kv/put", obj("key", b64(p + "a"), "value", b64("2")))),
        new Step("put b", (s, r) -> s.kv("/v3/kv/put", obj("key", b64(p + "b"), "value", b64("x")))),
        new Step("delete a", (s, r) -> s.kv("/v3/kv/deleterange", obj("key", b64(p + "a")))),
        new Step("create prefix NODELETE", (s, r) -> s.channel().send(createPrefix(p, "filters",
            arr("NODELETE")))),
        new Step("txn: put a, delete b", (s, r) -> s.kv("/v3/kv/txn", obj("success", arr(
            obj("request_put", obj("key", b64(p + "a"), "value", b64("3"))),
            obj("request_delete_range", obj("key", b64(p + "b"))))))),
        new Step("delete the prefix with prev_kv", (s, r) -> s.kv("/v3/kv/deleterange", obj("key", b64(p),
            "range_end", b64(Json.prefixEnd(p)), "prev_kv", true))),
        new Step("progress", (s, r) -> s.channel().send(progress())),
        new Step("cancel 7", (s, r) -> s.channel().send(cancel(7))),
        new Step("cancel an unknown id", (s, r) -> s.channel().send(cancel(42))),
        new Step("duplicate id", (s, r) -> s.channel().send(create(p + "z", "watch_id", "2"))),
        new Step("empty range", (s, r) -> s.channel().send(create(p + "z", "range_end", b64(p + "y")))),
        new Step("empty and unknown requests", (s, r) -> s.channel().send("{}{\"bogus\":1}null")),
        new Step("create on the empty key", (s, r) -> s.channel().send("{\"create_request\":{}}")),
        new Step("compact", (s, r) -> s.kv("/v3/kv/compaction", obj("revision", Long.toString(r)))),
        new Step("create below the compaction", (s, r) -> s.channel().send(create(p + "a", "start_revision",
            Long.toString(marks[0])))),
        new Step("several creates in one message, one with a future start", (s, r) -> s.channel().send(
            create(p + "f", "start_revision", Long.toString(r + 2)) + create(p + "g"))),
        new Step("two puts", (s, r) -> {
          s.kv("/v3/kv/put", obj("key", b64(p + "f"), "value", b64("early")));
          s.kv("/v3/kv/put", obj("key", b64(p + "f"), "value", b64("future")));
        }));

    try (Channel etcdChannel = open.apply(etcd); Channel keywayChannel = open.apply(keyway)) {
      Side etcdSide = new Side(etcd, etcdChannel);
      Side keywaySide = new Side(keyway, keywayChannel);
      for (Step step : script) {
        long etcdRev = currentRevision(etcd);
        assertEquals(etcdRev, currentRevision(keyway), "the servers' revisions drifted before " + step.name());
        step.action().accept(etcdSide, etcdRev);
        step.action().accept(keywaySide, etcdRev);
        if (step.name().equals("put a")) {
          marks[0] = currentRevision(etcd);
        }
        List<JsonNode> fromEtcd = collect(etcdChannel::poll);
        List<JsonNode> fromKeyway = collect(keywayChannel::poll);
        transcript.add("## " + step.name() + "\netcd:   " + fromEtcd + "\nkeyway: " + fromKeyway);
        if (!normalized(fromEtcd).equals(normalized(fromKeyway))) {
          write(transport, transcript);
          fail(transport + ", step '" + step.name() + "':\n  etcd   " + normalized(fromEtcd) + "\n  keyway "
              + normalized(fromKeyway));
        }
      }
    }
    write(transport, transcript);
  }

  private static long currentRevision(ServerProcess server) {
    return EtcdJson.revision(server.http().ok("/v3/kv/range", obj("key", b64("-"))));
  }

  /** Messages until the channel stayed quiet for a while. */
  private static List<JsonNode> collect(LongFunction<String> poll) {
    List<JsonNode> got = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 10_000;
    String text;
    while ((text = poll.apply(IDLE_MILLIS)) != null) {
      if (text.equals(HttpWatchStream.END)) {
        fail("the watch stream ended; got " + got);
      }
      got.add(Json.parse(text));
      if (System.currentTimeMillis() > deadline) {
        fail("the watch stream does not go quiet: " + got);
      }
    }
    return got;
  }

  /**
   * Ids and terms removed, object keys sorted (field order is compared by the unit tests, not here); the list
   * sorted, since responses that arrive together have no fixed order.
   */
  private static List<String> normalized(List<JsonNode> messages) {
    List<String> out = new ArrayList<>();
    for (JsonNode m : messages) {
      out.add(canonical(EtcdJson.withoutMemberIds(m)));
    }
    out.sort(null);
    return out;
  }

  private static String canonical(JsonNode node) {
    if (node.isObject()) {
      java.util.TreeMap<String, String> fields = new java.util.TreeMap<>();
      node.fields().forEachRemaining(f -> fields.put(f.getKey(), canonical(f.getValue())));
      StringBuilder sb = new StringBuilder("{");
      fields.forEach((k, v) -> {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append('"').append(k).append("\":").append(v);
      });
      return sb.append('}').toString();
    }
    if (node.isArray()) {
      List<String> elements = new ArrayList<>();
      node.forEach(e -> elements.add(canonical(e)));
      return "[" + String.join(",", elements) + "]";
    }
    return node.toString();
  }

  private static void write(String transport, List<String> transcript) {
    Path file = ItEnvironment.logDir().resolve("watch-differential-" + transport + ".txt");
    try {
      Files.writeString(file, String.join("\n", transcript) + "\n", StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    } catch (IOException e) {
      // the transcript is a debugging aid only
    }
  }
}
