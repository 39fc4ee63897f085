package io.keyway.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * A multi-member cluster of real server processes (Keyway from its jar, or etcd with
 * {@code -Dkeyway.it.target=etcd}) bootstrapped on loopback with etcd's flags: {@code --initial-cluster},
 * {@code --initial-cluster-state}, {@code --initial-cluster-token}.
 */
final class ProcessCluster implements AutoCloseable {

  private final String token;
  private final BiFunction<String, String[], ServerProcess> factory;
  private final List<String> extraFlags;
  private final List<ServerProcess> members = new ArrayList<>();

  private ProcessCluster(String token, boolean etcd, List<String> extraFlags) {
    this.token = token;
    this.extraFlags = List.copyOf(extraFlags);
    this.factory = etcd
        ? (name, flags) -> new EtcdProcess(name, flags)
        : (name, flags) -> new KeywayProcess(name, flags);
  }

  /** Starts {@code size} members named {@code <prefix>1..n} together and waits until each is healthy. */
  static ProcessCluster start(String prefix, int size, String... extraFlags) {
    return start(prefix, size, false, extraFlags);
  }

  /** As {@link #start(String, int, String...)}; with {@code peerTls} the peer URLs are {@code https://}. */
  static ProcessCluster start(String prefix, int size, boolean peerTls, String... extraFlags) {
    return start(prefix, size, peerTls, null, (m, flags) -> { }, extraFlags);
  }

  /** As {@link #start(String, int, String...)}, member i in namespace i of {@code network} (which may be null). */
  static ProcessCluster start(String prefix, int size, NetnsNetwork network, String... extraFlags) {
    return start(prefix, size, false, network, (m, flags) -> { }, extraFlags);
  }

  /**
   * As {@link #start(String, int, String...)}, with {@code beforeLaunch} run for every member once its bootstrap
   * flags are known and before any member starts (e.g. {@code snapshot restore} into its data dir).
   */
  static ProcessCluster start(String prefix, int size, BiConsumer<ServerProcess, ServerProcess.ClusterFlags>
      beforeLaunch, String... extraFlags) {
    return start(prefix, size, false, null, beforeLaunch, extraFlags);
  }

  /** A cluster of real etcd members whatever {@code keyway.it.target} says, for suites that run on both. */
  static ProcessCluster startEtcd(String prefix, int size, String... extraFlags) {
    return start(prefix, size, false, null, true, (m, flags) -> { }, extraFlags);
  }

  private static ProcessCluster start(String prefix, int size, boolean peerTls, NetnsNetwork network,
                                      BiConsumer<ServerProcess, ServerProcess.ClusterFlags> beforeLaunch,
                                      String... extraFlags) {
    return start(prefix, size, peerTls, network, ItEnvironment.targetIsEtcd(), beforeLaunch, extraFlags);
  }

  private static ProcessCluster start(String prefix, int size, boolean peerTls, NetnsNetwork network, boolean etcd,
                                      BiConsumer<ServerProcess, ServerProcess.ClusterFlags> beforeLaunch,
                                      String... extraFlags) {
    ProcessCluster cluster = new ProcessCluster("keyway-it-" + prefix, etcd, List.of(extraFlags));
    try {
      for (int i = 1; i <= size; i++) {
        ServerProcess member = cluster.factory.apply(prefix + i, extraFlags);
        if (peerTls) {
          member.usePeerTls();
        }
        if (network != null) {
          member.placeIn(network.address(i - 1), network.launchPrefix(i - 1));
        }
        cluster.members.add(member);
      }
      String initial = cluster.members.stream().map(m -> m.memberName() + "=" + m.peerUrl())
          .collect(Collectors.joining(","));
      ServerProcess.ClusterFlags flags = new ServerProcess.ClusterFlags(initial, "new", cluster.token);
      for (ServerProcess m : cluster.members) {
        m.joinCluster(flags);
        beforeLaunch.accept(m, flags);
      }
      cluster.members.forEach(ServerProcess::launch);
      CompletableFuture.allOf(cluster.members.stream()
          .map(m -> CompletableFuture.runAsync(m::awaitReady)).toArray(CompletableFuture[]::new)).join();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * A new member process (not started) that joins with {@code --initial-cluster-state existing}: its
   * {@code --initial-cluster} lists the running members plus itself, as {@code etcdctl member add} prints it.
   */
  ServerProcess newJoiner(String name) {
    ServerProcess joiner = factory.apply(name, extraFlags.toArray(String[]::new));
    members.add(joiner);
    return joiner;
  }

  /** Sets the joiner's flags from the members still in the cluster ({@code others}) and itself. */
  void prepareJoin(ServerProcess joiner, List<ServerProcess> others) {
    List<ServerProcess> all = new ArrayList<>(others);
    all.add(joiner);
    String initial = all.stream().map(m -> m.memberName() + "=" + m.peerUrl()).collect(Collectors.joining(","));
    joiner.joinCluster(new ServerProcess.ClusterFlags(initial, "existing", token));
  }

  List<ServerProcess> members() {
    return List.copyOf(members);
  }

  ServerProcess member(int index) {
    return members.get(index);
  }

  /** Comma-separated client URLs, for etcdctl's --endpoints. */
  String endpoints(List<ServerProcess> of) {
    return of.stream().map(ServerProcess::clientUrl).collect(Collectors.joining(","));
  }

  /** Status over HTTP of a running member. */
  static JsonNode status(ServerProcess member) {
    return member.http().ok("/v3/maintenance/status", Json.obj());
  }

  /**
   * The member that the running members agree leads (via Status), waiting up to {@code timeoutMillis}; fails
   * when they do not agree in time.
   */
  ServerProcess awaitLeader(List<ServerProcess> running, long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      List<String> leaders = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (ServerProcess m : running) {
        try {
          HttpResult r = m.http().post("/v3/maintenance/status", "{}");
          if (r.status() != 200) {
            leaders.add("?");
            ids.add("?");
            continue;
          }
          leaders.add(r.json().path("leader").asText("0"));
          ids.add(r.json().path("header").path("member_id").asText());
        } catch (AssertionError e) {
          leaders.add("?");
          ids.add("?");
        }
      }
      last = "leaders=" + leaders + " ids=" + ids;
      String first = leaders.get(0);
      if (!first.equals("?") && !first.equals("0") && leaders.stream().allMatch(first::equals)) {
        int idx = ids.indexOf(first);
        if (idx >= 0) {
          return running.get(idx);
        }
      }
      ServerProcess.sleep(200);
    }
    fail("members did not agree on a leader within " + timeoutMillis + " ms: " + last);
    return null;
  }

  @Override
  public void close() {
    for (ServerProcess m : members) {
      if (m.isAlive()) {
        try {
          m.thaw(); // a process frozen by a test (SIGSTOP) cannot be reaped cleanly
        } catch (AssertionError exitedMeanwhile) {
          // nothing left to thaw
        }
      }
      m.close();
    }
  }
}
