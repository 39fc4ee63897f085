package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HashKV proves two members hold the same history only if Keyway computes etcd's hash: the same seeded random
 * traffic (puts, deletes, nested txns, leased keys, lease revocations, compactions) goes to a fresh Keyway and a
 * fresh real etcd, whose revisions therefore line up, and HashKV's {@code hash} and {@code compact_revision} must
 * be equal at every revision, after every compaction and at the end, over gRPC and through
 * {@code etcdctl endpoint hashkv}.
 *
 * <p>Leases are granted with explicit ids so that the leased KeyValues (and so the hashed bytes) are equal.
 * Compactions are sent as physical: etcd 3.4 hashes whatever its background deletion has left when no key exists
 * at the hashed revision, so only a finished compaction has one right answer. HashKV at exactly the compaction
 * revision is not compared: etcd 3.4 refuses it as compacted, 3.5 (Keyway's baseline) answers it.
 */
class HashKvDifferentialIT {

  private static final long SEED = Long.getLong("keyway.it.seed", 20261207L);
  private static final int STEPS = Integer.getInteger("keyway.it.hashSteps", 300);
  private static final int HASH_EVERY = 50;
  private static final int REVOKE_EVERY = 60;

  private ServerPair servers;
  private ManagedChannel etcdChannel;
  private ManagedChannel keywayChannel;
  private final List<Long> leases = new ArrayList<>(List.of(0x7a01L, 0x7a02L, 0x7a03L));
  private long revision = 1;
  private long compactRevision = 0;
  private int hashesCompared;
  private int compactions;
  private int leasedPuts;
  private long hashingNanos;

  @BeforeEach
  void start() {
    servers = ServerPair.start("hashkv");
    etcdChannel = channel(servers.etcd);
    keywayChannel = channel(servers.keyway);
  }

  /** One plain gRPC channel per server (jetcd's hashKV opens a new one per call: too slow for hundreds). */
  private static ManagedChannel channel(ServerProcess server) {
    URI url = URI.create(server.clientUrl());
    return ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    for (ManagedChannel c : new ManagedChannel[] {etcdChannel, keywayChannel}) {
      if (c != null) {
        c.shutdownNow();
      }
    }
    ServerPair.close(servers);
  }

  @Test
  void randomHistoryHashesAsEtcdAtEveryRevision() {
    compareHashes(0, 1, 2); // a fresh store: never compacted (-1), and a future revision
    for (long id : leases) {
      grant(id);
    }
    RandomKvWorkload workload = new RandomKvWorkload(SEED, leases);
    Random chooser = new Random(SEED);
    for (int i = 1; i <= STEPS; i++) {
      if (i % REVOKE_EVERY == 0) {
        // revoking deletes the attached keys in one revision (in key order, as etcd); the id is then reused
        long id = leases.get(chooser.nextInt(leases.size()));
        send("revoke lease " + id, "/v3/lease/revoke", Json.obj("ID", String.valueOf(id)));
        grant(id);
      }
      KvStep step = workload.next();
      JsonNode body = Json.parse(step.resolvedBody(revision));
      boolean compaction = step.route().endsWith("/compaction");
      if (compaction) {
        ((ObjectNode) body).put("physical", true);
      }
      int status = send(step.label(), step.route(), body);
      workload.observe(revision, KvStep.of(step.label(), step.route(), body), status);
      if (status == 200 && step.route().endsWith("/kv/put") && leases.contains(body.path("lease").asLong())) {
        leasedPuts++;
      }
      if (compaction && status == 200) {
        compactRevision = body.path("revision").asLong();
        compactions++;
        compareAllRevisions();
      } else if (i % HASH_EVERY == 0) {
        compareAllRevisions();
      }
    }
    compareAllRevisions();
    String stats = compactions + " compactions, " + leasedPuts + " leased puts, revision " + revision + ", "
        + hashesCompared + " hashes compared in " + hashingNanos / 1_000_000 + " ms";
    System.out.println("HashKvDifferentialIT: " + stats);
    assertTrue(compactions >= 3 && leasedPuts >= 10 && revision >= 100 && hashesCompared >= 200,
        "too little covered: " + stats);
    compareEtcdctl(0);
    compareEtcdctl(Math.max(1, (compactRevision + revision) / 2));
  }

  private void grant(long id) {
    send("grant lease " + id, "/v3/lease/grant", Json.obj("TTL", "600", "ID", String.valueOf(id)));
  }

  /** Sends one request to both; the statuses and resulting revisions must agree, or the histories diverged. */
  private int send(String label, String route, JsonNode body) {
    HttpResult fromEtcd = servers.etcd.http().post(route, body);
    HttpResult fromKeyway = servers.keyway.http().post(route, body);
    String what = label + ": POST " + route + " " + body;
    assertEquals(fromEtcd.status(), fromKeyway.status(),
        () -> what + "\n  etcd:   " + fromEtcd + "\n  keyway: " + fromKeyway);
    if (fromEtcd.status() == 200 && fromEtcd.json().path("header").has("revision")) {
      long etcdRevision = EtcdJson.revision(fromEtcd.json());
      assertEquals(etcdRevision, EtcdJson.revision(fromKeyway.json()),
          () -> "revisions diverged after " + what + "\n  etcd:   " + fromEtcd + "\n  keyway: " + fromKeyway);
      revision = Math.max(revision, etcdRevision);
    }
    return fromEtcd.status();
  }

  /** Every revision from just below the compaction to just above the current one, and 0 (current). */
  private void compareAllRevisions() {
    List<Long> revs = new ArrayList<>();
    revs.add(0L);
    for (long r = Math.max(1, compactRevision - 1); r <= revision + 1; r++) {
      revs.add(r);
    }
    compareHashes(revs.stream().mapToLong(Long::longValue).toArray());
  }

  private void compareHashes(long... revs) {
    long start = System.nanoTime();
    for (long r : revs) {
      if (r > 0 && r == compactRevision) {
        continue; // 3.4 vs 3.5, see the class comment
      }
      String expected = hashKv(etcdChannel, r);
      String actual = hashKv(keywayChannel, r);
      if (!expected.equals(actual)) {
        fail("HashKV(" + r + ") differs at revision " + revision + ", compacted at " + compactRevision
            + "\n  etcd:   " + expected + "\n  keyway: " + actual + "\n  keyway log: " + servers.keyway.logFile());
      }
      hashesCompared++;
    }
    hashingNanos += System.nanoTime() - start;
  }

  private static String hashKv(ManagedChannel channel, long rev) {
    try {
      HashKVResponse r = MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
          .hashKV(HashKVRequest.newBuilder().setRevision(rev).build());
      return "hash=" + Integer.toUnsignedLong(r.getHash()) + " compact_revision=" + r.getCompactRevision()
          + " header.revision=" + r.getHeader().getRevision();
    } catch (StatusRuntimeException e) {
      return "error " + e.getStatus().getCode() + ": " + e.getStatus().getDescription();
    }
  }

  /** {@code etcdctl endpoint hashkv} prints the same hash and compact revision for both. */
  private void compareEtcdctl(long rev) {
    String expected = etcdctlHashKv(servers.etcd, rev);
    assertEquals(expected, etcdctlHashKv(servers.keyway, rev), "etcdctl endpoint hashkv --rev=" + rev);
  }

  private static String etcdctlHashKv(ServerProcess server, long rev) {
    Etcdctl.Result r = server.etcdctl().run("endpoint", "hashkv", "--rev=" + rev, "-w", "json");
    assertEquals(0, r.exitCode(), () -> server.memberName() + ": " + r);
    JsonNode hashKv = Json.parse(r.stdout()).path(0).path("HashKV");
    return "hash=" + hashKv.path("hash").asLong() + " compact_revision=" + hashKv.path("compact_revision").asLong()
        + " header.revision=" + hashKv.path("header").path("revision").asLong();
  }
}
