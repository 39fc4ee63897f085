package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code etcdctl watch} (gRPC Watch stream, etcdctl 3.4.23) against Keyway, each scenario also run against
 * etcd 3.4.23 to compare what etcdctl prints. A watch runs as a background process; "live" scenarios first
 * wait until the watch is established (see {@link EtcdctlWatch#sync}).
 */
class WatchEtcdctlIT {
  private static ServerProcess keyway;
  private static EtcdProcess etcd;

  @BeforeAll
  static void startServers() {
    keyway = ServerUnderTest.start("watch-ctl");
    etcd = new EtcdProcess("watch-ctl-oracle");
    try {
      etcd.start();
    } catch (RuntimeException | Error e) {
      etcd.close();
      throw e;
    }
  }

  @AfterAll
  static void stopServers() {
    if (keyway != null) {
      keyway.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  /** Runs the scenario on Keyway and on etcd; both must print {@code expected}. */
  private static void bothPrint(List<String> expected, Function<ServerProcess, List<String>> scenario) {
    assertEquals(expected, scenario.apply(etcd), "etcd 3.4.23 (the test's own expectation is off)");
    assertEquals(expected, scenario.apply(keyway), "keyway");
  }

  @Test
  void liveWatchOfAKeyAndOfARange() {
    bothPrint(List.of("PUT", "c1/live", "v1", "DELETE", "c1/live", ""), server -> {
      Etcdctl ctl = server.etcdctl();
      try (EtcdctlWatch w = EtcdctlWatch.start(server.clientUrl(), "c1/live")) {
        w.sync(ctl, "c1/live");
        ctl.run("put", "c1/other", "x");
        ctl.run("put", "c1/live", "v1");
        ctl.run("del", "c1/live");
        return w.nextLines(6);
      }
    });
    bothPrint(List.of("PUT", "c1/r1", "a", "PUT", "c1/r2", "b"), server -> {
      Etcdctl ctl = server.etcdctl();
      try (EtcdctlWatch w = EtcdctlWatch.start(server.clientUrl(), "c1/r1", "c1/r3")) {
        w.sync(ctl, "c1/r2");
        ctl.run("put", "c1/r1", "a");
        ctl.run("put", "c1/r3", "out of range");
        ctl.run("put", "c1/r2", "b");
        return w.nextLines(6);
      }
    });
  }

  @Test
  void prefixWatchWithPrevKv() {
    bothPrint(List.of(
        "PUT", "c2/a", "1",
        "PUT", "c2/a", "1", "c2/a", "2",
        "PUT", "c2/b", "3",
        "DELETE", "c2/a", "2", "c2/a", ""), server -> {
      Etcdctl ctl = server.etcdctl();
      try (EtcdctlWatch w = EtcdctlWatch.start(server.clientUrl(), "--prefix", "--prev-kv", "c2/")) {
        w.sync(ctl, "c2/sync");
        ctl.run("put", "c2/a", "1");
        ctl.run("put", "c2/a", "2");
        ctl.run("put", "c3/a", "not in the prefix");
        ctl.run("put", "c2/b", "3");
        ctl.run("del", "c2/a");
        return w.nextLines(3 + 5 + 3 + 5);
      }
    });
  }

  @Test
  void watchFromAPastRevisionReplaysHistoryThenGoesLive() {
    bothPrint(List.of("PUT", "c3/k", "h1", "PUT", "c3/k", "h2", "DELETE", "c3/k", "", "PUT", "c3/k", "live"),
        server -> {
          HttpJson http = server.http();
          long first = EtcdJson.revision(http.ok("/v3/kv/put", obj("key", b64("c3/k"), "value", b64("h1"))));
          http.ok("/v3/kv/put", obj("key", b64("c3/k"), "value", b64("h2")));
          http.ok("/v3/kv/deleterange", obj("key", b64("c3/k")));
          try (EtcdctlWatch w = EtcdctlWatch.start(server.clientUrl(), "--rev=" + first, "c3/k")) {
            List<String> lines = new ArrayList<>(w.nextLines(9));
            server.etcdctl().run("put", "c3/k", "live");
            lines.addAll(w.nextLines(3));
            return lines;
          }
        });
  }

  @Test
  void aCompactedStartRevisionEndsTheWatch() {
    List<Etcdctl.Result> results = new ArrayList<>();
    for (ServerProcess server : List.of(etcd, keyway)) {
      Etcdctl ctl = server.etcdctl();
      ctl.run("put", "c5/k", "1");
      HttpJson http = server.http();
      long rev = EtcdJson.revision(http.ok("/v3/kv/put", obj("key", b64("c5/k"), "value", b64("2"))));
      http.ok("/v3/kv/compaction", obj("revision", Long.toString(rev)));
      results.add(ctl.run("watch", "--rev=1", "c5/k"));
    }
    assertEquals(new Etcdctl.Result(5, "", "watch was canceled (etcdserver: mvcc: required revision has been "
        + "compacted)\nError: watch is canceled by the server\n"), results.get(0), "etcd");
    assertEquals(results.get(0), results.get(1), "keyway");
  }

  @Test
  void interactiveWatchCommands() {
    bothPrint(List.of("PUT", "c4/a", "1", "PUT", "c4/b/x", "2"), server -> {
      Etcdctl ctl = server.etcdctl();
      try (EtcdctlWatch w = EtcdctlWatch.start(server.clientUrl(), "-i")) {
        w.typeLine("watch c4/a");
        w.sync(ctl, "c4/a");
        w.typeLine("watch --prefix c4/b/");
        w.sync(ctl, "c4/b/sync");
        ctl.run("put", "c4/c", "not watched");
        ctl.run("put", "c4/a", "1");
        ctl.run("put", "c4/b/x", "2");
        return w.nextLines(6);
      }
    });
  }
}
