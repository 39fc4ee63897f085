package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.gateway.testing.TestPki;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft traffic on TLS: three members on {@code https://} peer URLs with etcd's peer TLS flags. With
 * {@code --peer-client-cert-auth} writes replicate to every member, while a member whose certificate comes from
 * another CA gets no entries and counts for no quorum; with {@code --peer-auto-tls} the members replicate over
 * self-signed certificates.
 */
class PeerTlsIT {
  @TempDir
  Path certs;
  private ProcessCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void mutualTlsReplicatesAndShutsOutAMemberWithAForeignCertificate() {
    TestPki pki = TestPki.create(certs);
    cluster = ProcessCluster.start("ptls", 3, true,
        "--peer-cert-file=" + pki.serverCert, "--peer-key-file=" + pki.serverKey,
        "--peer-trusted-ca-file=" + pki.caCert, "--peer-client-cert-auth",
        // dialled connections present a client-only certificate (clientAuth usage, no SANs)
        "--peer-client-cert-file=" + pki.clientCert, "--peer-client-key-file=" + pki.clientKey);
    List<ServerProcess> m = cluster.members();

    ok(m.get(0).etcdctl().run("put", "ptls/a", "1"));
    for (ServerProcess member : m) {
      assertEquals("ptls/a\n1\n", ok(member.etcdctl().run("get", "ptls/a")).stdout(), member.toString());
    }
    String members = ok(m.get(1).etcdctl().run("member", "list")).stdout();
    for (ServerProcess member : m) {
      assertTrue(members.contains(", " + member.peerUrl() + ", "), members);
      assertTrue(member.peerUrl().startsWith("https://"), member.peerUrl());
    }

    // the third member comes back with a certificate its peers do not trust (and that does not trust them)
    ServerProcess foreign = m.get(2);
    foreign.stop();
    foreign.overrideFlags("--peer-cert-file=" + pki.strangerServerCert, "--peer-key-file=" + pki.strangerServerKey,
        "--peer-client-cert-file=" + pki.strangerCert, "--peer-client-key-file=" + pki.strangerKey);
    foreign.launch();
    awaitServing(foreign);
    ok(m.get(0).etcdctl().run("put", "ptls/b", "2"));
    assertEquals("ptls/b\n2\n", ok(m.get(1).etcdctl().run("get", "ptls/b")).stdout());
    // it never receives the entry: a local read stays empty, a linearizable read finds no leader
    long until = System.currentTimeMillis() + 4000;
    while (System.currentTimeMillis() < until) {
      assertEquals("", ok(foreign.etcdctl().run("get", "--consistency=s", "ptls/b")).stdout());
      ServerProcess.sleep(500);
    }
    Etcdctl.Result linearizable = quick(foreign).run("get", "ptls/b");
    assertNotEquals(0, linearizable.exitCode(), linearizable.toString());

    // and it is no quorum with the first member: with the second one gone, writes fail
    m.get(1).stop();
    Etcdctl.Result noQuorum = quick(m.get(0)).run("put", "ptls/c", "3");
    assertNotEquals(0, noQuorum.exitCode(), noQuorum.toString());
    assertEquals("", ok(foreign.etcdctl().run("get", "--consistency=s", "ptls/c")).stdout());
  }

  @Test
  void autoTlsMembersReplicateOverSelfSignedCertificates() {
    cluster = ProcessCluster.start("pauto", 3, true, "--peer-auto-tls");
    List<ServerProcess> m = cluster.members();
    ok(m.get(2).etcdctl().run("put", "pauto/k", "v"));
    for (ServerProcess member : m) {
      assertEquals("pauto/k\nv\n", ok(member.etcdctl().run("get", "pauto/k")).stdout(), member.toString());
    }
    String members = ok(m.get(0).etcdctl().run("member", "list")).stdout();
    assertTrue(members.contains(", " + m.get(2).peerUrl() + ", "), members);
    assertTrue(m.get(2).dataDir().resolve("fixtures/peer/cert.pem").toFile().isFile()
        || ItEnvironment.targetIsEtcd(), "the generated certificate is kept in the data dir");
  }

  private static Etcdctl quick(ServerProcess member) {
    return new Etcdctl(member.clientUrl(), List.of("--command-timeout=3s", "--dial-timeout=2s"));
  }

  /** Waits until the member answers a local (serializable) read: it serves clients without a leader. */
  private static void awaitServing(ServerProcess member) {
    long deadline = System.currentTimeMillis() + 90_000;
    Etcdctl.Result last = null;
    while (System.currentTimeMillis() < deadline) {
      last = quick(member).run("get", "--consistency=s", "none");
      if (last.exitCode() == 0) {
        return;
      }
      ServerProcess.sleep(300);
    }
    throw new AssertionError(member + " does not serve local reads: " + last + "\n" + member.logTail(40));
  }

  private static Etcdctl.Result ok(Etcdctl.Result r) {
    assertEquals(0, r.exitCode(), r.toString());
    return r;
  }
}
