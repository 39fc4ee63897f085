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

  private static ServerPair servers;
  private static EtcdProcess etcd;
  private static KeywayProcess keyway;

  @BeforeAll
  static void startServers() {
    servers = ServerPair.start("watch-diff");
    keyway = servers.keyway;
    etcd = servers.etcd;
  }

  @AfterAll
  static void stopServers() {
    ServerPair.close(servers);
  }

  /** One watch stream on one side of the comparison. */
  private interface Channel extends AutoCloseable {
    void send(String request);

    /** The next message as text, or null after {@code millis} without one. */
    String poll(long millis);

    @Override
    void close();
  }

  /**
   * A chunked HTTP watch whose body is complete before the server answers: etcd's HTTP/1 server discards
   * an unread body before it writes the response header, so requests cannot follow later (see WatchHttpIT).
   */
  private static Channel http(ServerProcess server, String body) {
    HttpWatchStream stream = HttpWatchStream.open(server.clientUrl(), "/v3/watch", body);
    stream.endBody();
    return new Channel() {
      @Override public void send(String request) { throw new UnsupportedOperationException("body ended"); }
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

  /** A server and the watch streams opened on it so far. */
  private record Side(ServerProcess server, List<Channel> channels) {
    long kv(String path, JsonNode body) {
      return EtcdJson.revision(server.http().ok(path, body));
    }

    void put(String key, String value) {
      kv("/v3/kv/put", obj("key", b64(key), "value", b64(value)));
    }

    /** A new HTTP watch whose body holds {@code requests}. */
    void httpWatch(String... requests) {
      channels.add(http(server, String.join("", requests)));
    }

    /** Sends on the latest stream (a WebSocket). */
    void send(String request) {
      channels.get(channels.size() - 1).send(request);
    }
  }

  /** A step of the script: done to each server; {@code rev} is the revision before it (the same on both). */
  private record Step(String name, BiConsumer<Side, Long> action) {}

  @Test
  void chunkedHttp() {
    String p = "dh/";
    long[] mark = new long[1];
    play("http", mark, List.of(
        new Step("put a", (s, rev) -> s.put(p + "a", "1")),
        new Step("one body: creates (by prefix, from a revision, filtered, refused) and requests to ignore",
            (s, rev) -> s.httpWatch(
                create(p + "a"),
                createPrefix(p, "prev_kv", true, "watch_id", "7"),
                create(p + "a", "start_revision", Long.toString(mark[0])),
                createPrefix(p, "filters", arr("NODELETE")),
                create(p + "z", "watch_id", "2"),
                create(p + "z", "range_end", b64(p + "y")),
                "{} {\"bogus\":1}\nnull",
                "{\"create_request\":{}}")),
        new Step("put a again", (s, rev) -> s.put(p + "a", "2")),
        new Step("put b", (s, rev) -> s.put(p + "b", "x")),
        new Step("delete a", (s, rev) -> s.kv("/v3/kv/deleterange", obj("key", b64(p + "a")))),
        new Step("txn: put a, delete b", (s, rev) -> s.kv("/v3/kv/txn", obj("success", arr(
            obj("request_put", obj("key", b64(p + "a"), "value", b64("3"))),
            obj("request_delete_range", obj("key", b64(p + "b"))))))),
        new Step("delete the prefix with prev_kv", (s, rev) -> s.kv("/v3/kv/deleterange", obj("key", b64(p),
            "range_end", b64(Json.prefixEnd(p)), "prev_kv", true))),
        new Step("a body with a create and a progress request", (s, rev) -> s.httpWatch(create(p + "x"),
            progress())),
        new Step("a body that creates, cancels, and cancels an unknown id", (s, rev) -> s.httpWatch(
            create(p + "c", "watch_id", "3"), cancel(3), cancel(42))),
        new Step("compact", (s, rev) -> s.kv("/v3/kv/compaction", obj("revision", Long.toString(rev)))),
        new Step("a create below the compaction", (s, rev) -> s.httpWatch(create(p + "a", "start_revision",
            Long.toString(mark[0])))),
        new Step("creates with a future start", (s, rev) -> s.httpWatch(
            create(p + "f", "start_revision", Long.toString(rev + 2)), create(p + "g"))),
        new Step("two puts", (s, rev) -> {
          s.put(p + "f", "early");
          s.put(p + "f", "future");
        })));
  }

  @Test
  void webSocket() {
    String p = "dw/";
    long[] mark = new long[1];
    play("websocket", mark, List.of(
        new Step("put a", (s, rev) -> s.put(p + "a", "1")),
        new Step("connect, create a", (s, rev) -> {
          s.channels().add(webSocket(s.server()));
          s.send(create(p + "a"));
        }),
        new Step("create prefix, prev_kv, id 7", (s, rev) -> s.send(createPrefix(p, "prev_kv", true,
            "watch_id", "7"))),
        new Step("create a from the first put", (s, rev) -> s.send(create(p + "a", "start_revision",
            Long.toString(mark[0])))),
        new Step("put a again", (s, rev) -> s.put(p + "a", "2")),
        new Step("put b", (s, rev) -> s.put(p + "b", "x")),
        new Step("delete a", (s, rev) -> s.kv("/v3/kv/deleterange", obj("key", b64(p + "a")))),
        new Step("create prefix NODELETE", (s, rev) -> s.send(createPrefix(p, "filters", arr("NODELETE")))),
        new Step("txn: put a, delete b", (s, rev) -> s.kv("/v3/kv/txn", obj("success", arr(
            obj("request_put", obj("key", b64(p + "a"), "value", b64("3"))),
            obj("request_delete_range", obj("key", b64(p + "b"))))))),
        new Step("delete the prefix with prev_kv", (s, rev) -> s.kv("/v3/kv/deleterange", obj("key", b64(p),
            "range_end", b64(Json.prefixEnd(p)), "prev_kv", true))),
        new Step("progress", (s, rev) -> s.send(progress())),
        new Step("cancel 7", (s, rev) -> s.send(cancel(7))),
        new Step("cancel an unknown id", (s, rev) -> s.send(cancel(42))),
        new Step("duplicate id", (s, rev) -> s.send(create(p + "z", "watch_id", "2"))),
        new Step("empty range", (s, rev) -> s.send(create(p + "z", "range_end", b64(p + "y")))),
        new Step("empty and unknown requests", (s, rev) -> s.send("{}{\"bogus\":1}null")),
        new Step("create on the empty key", (s, rev) -> s.send("{\"create_request\":{}}")),
        new Step("compact", (s, rev) -> s.kv("/v3/kv/compaction", obj("revision", Long.toString(rev)))),
        new Step("create below the compaction", (s, rev) -> s.send(create(p + "a", "start_revision",
            Long.toString(mark[0])))),
        new Step("two creates in one message, one with a future start", (s, rev) -> s.send(
            create(p + "f", "start_revision", Long.toString(rev + 2)) + create(p + "g"))),
        new Step("two puts", (s, rev) -> {
          s.put(p + "f", "early");
          s.put(p + "f", "future");
        })));
  }

  /** Plays {@code script} on both servers; {@code mark[0]} is set to the revision after the first step. */
  private void play(String transport, long[] mark, List<Step> script) {
    List<String> transcript = new ArrayList<>();
    Side etcdSide = new Side(etcd, new ArrayList<>());
    Side keywaySide = new Side(keyway, new ArrayList<>());
    try {
      for (Step step : script) {
        long rev = currentRevision(etcd);
        assertEquals(rev, currentRevision(keyway), "the servers' revisions drifted before " + step.name());
        step.action().accept(etcdSide, rev);
        step.action().accept(keywaySide, rev);
        if (mark[0] == 0) {
          mark[0] = currentRevision(etcd);
        }
        assertEquals(etcdSide.channels().size(), keywaySide.channels().size());
        List<Channel> all = new ArrayList<>(etcdSide.channels());
        all.addAll(keywaySide.channels());
        List<List<JsonNode>> got = collect(all);
        int streams = etcdSide.channels().size();
        for (int i = 0; i < streams; i++) {
          List<JsonNode> fromEtcd = got.get(i);
          List<JsonNode> fromKeyway = got.get(streams + i);
          transcript.add("## " + step.name() + " [stream " + i + "]\netcd:   " + fromEtcd + "\nkeyway: "
              + fromKeyway);
          if (!normalized(fromEtcd).equals(normalized(fromKeyway))) {
            write(transport, transcript);
            fail(transport + ", step '" + step.name() + "', stream " + i + ":\n  etcd   " + normalized(fromEtcd)
                + "\n  keyway " + normalized(fromKeyway));
          }
        }
      }
    } finally {
      etcdSide.channels().forEach(Channel::close);
      keywaySide.channels().forEach(Channel::close);
      write(transport, transcript);
    }
  }

  private static long currentRevision(ServerProcess server) {
    return EtcdJson.revision(server.http().ok("/v3/kv/range", obj("key", b64("-"))));
  }

  /** Messages from every channel until all of them stayed quiet for a while. */
  private static List<List<JsonNode>> collect(List<Channel> channels) {
    List<List<JsonNode>> got = new ArrayList<>();
    channels.forEach(c -> got.add(new ArrayList<>()));
    long deadline = System.currentTimeMillis() + 10_000;
    long quietSince = System.currentTimeMillis();
    while (System.currentTimeMillis() - quietSince < IDLE_MILLIS) {
      boolean any = false;
      for (int i = 0; i < channels.size(); i++) {
        String text;
        while ((text = channels.get(i).poll(0)) != null) {
          if (text.equals(HttpWatchStream.END)) {
            fail("a watch stream ended; got " + got.get(i));
          }
          got.get(i).add(Json.parse(text));
          any = true;
        }
      }
      if (any) {
        quietSince = System.currentTimeMillis();
      }
      if (System.currentTimeMillis() > deadline) {
        fail("the watch streams do not go quiet: " + got);
      }
      ServerProcess.sleep(10);
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
