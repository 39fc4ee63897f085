package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} on the client port and on {@code --listen-metrics-urls}: Prometheus' text format, etcd's
 * metric names and types, counters that move with etcdctl traffic. Runs against etcd too
 * ({@code -Dkeyway.it.target=etcd}), which checks that the names and types are etcd's.
 */
class MetricsIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final int METRICS_PORT = FreePorts.next();
  private static ServerProcess server;

  @BeforeAll
  static void start() {
    server = ServerUnderTest.start("metrics", "--listen-metrics-urls=http://127.0.0.1:" + METRICS_PORT);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        r.headers().toString());
    return r.body();
  }

  private static PrometheusText scrape() throws Exception {
    return PrometheusText.parse(get(server.clientUrl() + "/metrics"));
  }

  @Test
  void countersMoveWithEtcdctlTraffic() throws Exception {
    Etcdctl etcdctl = server.etcdctl();
    assertEquals(0, etcdctl.run("put", "m-warmup", "x").exitCode());
    PrometheusText before = scrape();

    assertEquals(0, etcdctl.run("put", "m-a", "1").exitCode());
    assertEquals(0, etcdctl.run("put", "m-b", "2").exitCode());
    assertEquals(0, etcdctl.run("get", "m-a").exitCode());
    assertEquals(0, etcdctl.run("del", "m-b").exitCode());
    Etcdctl.Result txn = etcdctl.runWithStdin("value(\"m-a\") = \"1\"\n\nput m-c 3\nput m-d 4\n\n\n", "txn");
    assertEquals(0, txn.exitCode(), txn.toString());
    assertEquals(0, etcdctl.run("lease", "grant", "60").exitCode());
    PrometheusText after = scrape();

    assertTrue(delta(before, after, "etcd_mvcc_put_total") >= 4, "puts"); // 2 puts + 2 in the txn
    assertTrue(delta(before, after, "etcd_mvcc_range_total") >= 2, "ranges"); // get + the txn's compare
    assertTrue(delta(before, after, "etcd_mvcc_delete_total") >= 1, "deletes");
    assertTrue(delta(before, after, "etcd_mvcc_txn_total") >= 1, "txns");
    assertTrue(delta(before, after, "etcd_debugging_lease_granted_total") >= 1, "lease grants");
    assertTrue(delta(before, after, "etcd_server_proposals_committed_total") >= 5, "committed");
    assertTrue(delta(before, after, "etcd_server_proposals_applied_total") >= 5, "applied");
    String[] okPut = {"grpc_type", "unary", "grpc_service", "etcdserverpb.KV", "grpc_method", "Put"};
    assertTrue(after.value("grpc_server_started_total", okPut) - before.valueOrZero("grpc_server_started_total",
        okPut) >= 2, "started Put calls");
    String[] handledOk = {"grpc_service", "etcdserverpb.KV", "grpc_method", "Put", "grpc_code", "OK"};
    assertTrue(after.value("grpc_server_handled_total", handledOk)
        - before.valueOrZero("grpc_server_handled_total", handledOk) >= 2, "handled Put calls");

    assertEquals(1, after.value("etcd_server_has_leader"));
    assertEquals(1, after.value("etcd_server_is_leader"));
    assertTrue(after.value("etcd_server_leader_changes_seen_total") >= 1);
    assertEquals(0, after.value("etcd_server_proposals_pending"));
    assertEquals(1, after.value("etcd_server_version"));
    assertTrue(after.samples.stream().anyMatch(s -> s.name().equals("etcd_server_id")
        && s.labels().get("server_id").matches("[0-9a-f]+")), "etcd_server_id{server_id=hex}");
    assertTrue(after.value("etcd_mvcc_db_total_size_in_bytes") > 0);
    assertTrue(after.value("etcd_debugging_mvcc_keys_total") >= 3); // m-warmup, m-a, m-c, m-d
  }

  @Test
  void typesAreEtcds() throws Exception {
    PrometheusText metrics = scrape();
    for (String counter : List.of("etcd_mvcc_put_total", "etcd_mvcc_delete_total", "etcd_mvcc_range_total",
        "etcd_mvcc_txn_total", "etcd_debugging_lease_granted_total", "etcd_server_leader_changes_seen_total",
        "etcd_server_proposals_failed_total", "grpc_server_started_total", "grpc_server_handled_total")) {
      assertEquals("counter", metrics.types.get(counter), counter);
    }
    for (String gauge : List.of("etcd_server_has_leader", "etcd_server_is_leader", "etcd_server_id",
        "etcd_server_version", "etcd_server_proposals_committed_total", "etcd_server_proposals_applied_total",
        "etcd_server_proposals_pending", "etcd_mvcc_db_total_size_in_bytes",
        "etcd_mvcc_db_total_size_in_use_in_bytes", "etcd_debugging_mvcc_keys_total",
        "etcd_debugging_mvcc_watcher_total")) {
      assertEquals("gauge", metrics.types.get(gauge), gauge);
    }
    for (String family : metrics.types.keySet()) {
      assertTrue(metrics.helps.containsKey(family), "no HELP for " + family);
    }
    if (!ItEnvironment.targetIsEtcd()) {
      assertEquals("histogram", metrics.types.get("keyway_http_request_duration_seconds"));
      assertEquals("gauge", metrics.types.get("keyway_websocket_connections"));
      assertTrue(metrics.has("jvm_memory_used_bytes"), "JVM metrics");
    }
  }

  @Test
  void webSocketGaugeCountsOpenSockets() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(ItEnvironment.targetIsEtcd(), "a Keyway metric");
    double before = scrape().value("keyway_websocket_connections");
    try (WsWatch ws = WsWatch.connect(server.clientUrl(), "/v3/watch")) {
      ws.sendText("{\"create_request\":{\"key\":\"" + Json.b64("m-ws") + "\"}}");
      ws.next(); // created: the socket is open and registered
      assertEquals(before + 1, scrape().value("keyway_websocket_connections"));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (scrape().value("keyway_websocket_connections") != before && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(before, scrape().value("keyway_websocket_connections"), "closed socket still counted");
  }

  @Test
  void metricsListenerServesMetricsAndHealthOnly() throws Exception {
    String base = "http://127.0.0.1:" + METRICS_PORT;
    PrometheusText metrics = PrometheusText.parse(get(base + "/metrics"));
    assertEquals(1, metrics.value("etcd_server_has_leader"));
    HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"health\":\"true\""), health.body());
    HttpResponse<String> kv = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v3/kv/range"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"YQ==\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, kv.statusCode(), "the metrics listener serves no client API");
  }

  private static double delta(PrometheusText before, PrometheusText after, String name) {
    return after.value(name) - before.valueOrZero(name);
  }
}
