package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A client that keeps writing through a failover: each put goes to a unique key; a put that fails with one of
 * etcd's retryable errors (or a broken connection) is counted and the writer moves on to the next member, like
 * a client with several endpoints. Every acknowledged put is remembered, every other answer too.
 */
final class FailoverWriter implements Runnable {

  /** What etcd tells clients while it has no (usable) leader: the errors a client should retry. */
  static final List<String> RETRYABLE = List.of(
      "etcdserver: leader changed",
      "etcdserver: no leader",
      "etcdserver: request timed out",
      "etcdserver: server stopped",
      "etcdserver: too many requests");

  private final int id;
  private final Supplier<List<ServerProcess>> endpoints;
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final List<String> unexpected = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> retried = new ConcurrentHashMap<>();
  private final List<Long> ackTimesNanos = new CopyOnWriteArrayList<>();
  private volatile boolean stop;

  FailoverWriter(int id, Supplier<List<ServerProcess>> endpoints) {
    this.id = id;
    this.endpoints = endpoints;
  }

  @Override
  public void run() {
    int target = id;
    for (int seq = 0; !stop; seq++) {
      String key = "fo/w" + id + "/" + seq;
      String value = "v" + seq;
      List<ServerProcess> live = endpoints.get();
      ServerProcess member = live.get(Math.floorMod(target, live.size()));
      HttpResult r;
      try {
        r = member.http().post("/v3/kv/put", obj("key", b64(key), "value", b64(value)));
      } catch (AssertionError e) {
        // connection refused or reset: the member is down; its put may or may not have been applied
        retried.merge("connection failure", 1, Integer::sum);
        target++;
        ServerProcess.sleep(50);
        continue;
      }
      if (r.status() == 200) {
        acked.put(key, value);
        ackTimesNanos.add(System.nanoTime());
        continue;
      }
      String message = r.json().path("message").asText(r.body());
      if (RETRYABLE.stream().anyMatch(message::startsWith)) {
        retried.merge(message, 1, Integer::sum);
        target++;
        ServerProcess.sleep(50);
      } else {
        unexpected.add(r.status() + " " + r.body());
      }
    }
  }

  void requestStop() {
    stop = true;
  }

  Map<String, String> acked() {
    return Map.copyOf(acked);
  }

  List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  Map<String, Integer> retried() {
    return Map.copyOf(retried);
  }

  /** How many puts were acknowledged after {@code nanos} (System.nanoTime()). */
  long ackedAfter(long nanos) {
    return ackTimesNanos.stream().filter(t -> t - nanos > 0).count();
  }
}
