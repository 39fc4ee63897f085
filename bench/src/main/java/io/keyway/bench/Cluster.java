package io.keyway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Three members of one kind started with {@code --initial-cluster} (static bootstrap), each on its own data dir.
 * The leader is found the same way for etcd and Keyway: the member whose Maintenance status names itself.
 */
final class Cluster implements AutoCloseable {
  static final int SIZE = 3;

  final Server.Kind kind;
  final List<Server> members;
  final List<String> launcher;
  private final Vertx vertx;

  private Cluster(Vertx vertx, Server.Kind kind, List<Server> members, List<String> launcher) {
    this.vertx = vertx;
    this.kind = kind;
    this.members = List.copyOf(members);
    this.launcher = launcher;
  }

  /** Launches the members (not yet waiting for them); {@code newMember} makes an unstarted member by name. */
  static Cluster launch(Vertx vertx, Server.Kind kind, Function<String, Server> newMember, List<String> launcher)
      throws IOException {
    List<Server> members = new ArrayList<>();
    for (int i = 1; i <= SIZE; i++) {
      members.add(newMember.apply("m" + i));
    }
    String initialCluster = String.join(",", members.stream().map(m -> m.name + "=" + m.peerUrl()).toList());
    String token = "bench-cluster-" + members.get(0).clientPort;
    Cluster c = new Cluster(vertx, kind, members, launcher);
    try {
      for (Server m : members) {
        m.configure(initialCluster, token).launch(launcher);
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Waits until every member serves and a linearizable put through member 1 succeeds. */
  void awaitReady() throws BenchException {
    for (Server m : members) {
      m.awaitServing(Duration.ofSeconds(90), 100);
    }
    awaitPut(members.get(0), Duration.ofSeconds(60));
  }

  /** A put through {@code member} answers once the cluster has a leader. */
  void awaitPut(Server member, Duration timeout) throws BenchException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    try (HttpJson http = new HttpJson(vertx, member.clientPort, 1, 1000)) {
      while (System.nanoTime() < deadline) {
        try {
          http.post("/v3/kv/put", Buffer.buffer("{\"key\":\"" + Payloads.b64("bench/ready")
              + "\",\"value\":\"eA==\"}"), 5000).await(10, TimeUnit.SECONDS);
          return;
        } catch (Exception e) {
          last = String.valueOf(e);
          Server.sleepMillis(200);
        }
      }
    }
    throw new BenchException(member + ": no put succeeded within " + timeout.toSeconds() + " s (" + last + ")");
  }

  /** The leader, asking every member in turn for up to 10 s. */
  Server leader() throws BenchException {
    String last = "";
    for (int attempt = 0; attempt < 50; attempt++) {
      for (Server m : members) {
        try {
          if (isLeader(m, 5000)) {
            return m;
          }
        } catch (Exception e) {
          last = m + ": " + e;
        }
      }
      Server.sleepMillis(200);
    }
    throw new BenchException(kind.label + ": no member reports itself as leader (last: " + last + ")");
  }

  /** One pass over the live members with a short timeout each (the nemesis cannot wait): the leader if found. */
  Optional<Server> leaderNow(long timeoutMillis) {
    for (Server m : members) {
      if (!m.isAlive()) {
        continue;
      }
      try {
        if (isLeader(m, timeoutMillis)) {
          return Optional.of(m);
        }
      } catch (Exception e) {
        // not answering: not the leader as far as a client can tell
      }
    }
    return Optional.empty();
  }

  /** A member other than the leader. */
  Server follower(Server leader) {
    return members.stream().filter(m -> m != leader).findFirst().orElseThrow();
  }

  /** Whether {@code m}'s Maintenance status (POST /v3/maintenance/status) names itself as leader. */
  private boolean isLeader(Server m, long timeoutMillis) throws Exception {
    try (HttpJson http = new HttpJson(vertx, m.clientPort, 1, (int) timeoutMillis)) {
      String status = http.post("/v3/maintenance/status", Buffer.buffer("{}"), timeoutMillis)
          .await(timeoutMillis + 1000, TimeUnit.MILLISECONDS).toString();
      JsonNode json = BenchMain.JSON.readTree(status);
      String self = json.path("header").path("member_id").asText();
      return !self.isEmpty() && self.equals(json.path("leader").asText());
    }
  }

  void checkAlive() throws BenchException {
    for (Server m : members) {
      m.checkAlive();
    }
  }

  @Override
  public void close() {
    members.forEach(Server::close);
  }

  @Override
  public String toString() {
    return "3-member " + kind.label + " cluster";
  }
}
