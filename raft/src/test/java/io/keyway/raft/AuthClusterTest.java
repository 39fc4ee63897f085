package io.keyway.raft;

import static io.keyway.raft.TestNodes.peerUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.AuthEnableRequest;
import io.keyway.api.etcdserverpb.AuthUserAddRequest;
import io.keyway.api.etcdserverpb.AuthUserDeleteRequest;
import io.keyway.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.keyway.api.etcdserverpb.AuthenticateRequest;
import io.keyway.api.etcdserverpb.AuthenticateResponse;
import io.keyway.raft.auth.AuthService;
import io.keyway.store.auth.AuthInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auth store replicated over three members; simple tokens minted by the log are valid on every member. */
class AuthClusterTest {
  @TempDir Path dir;
  final int[] ports = TestNodes.freePorts(3);
  final KeywayNode[] nodes = new KeywayNode[3];

  NodeConfig config(int i) {
    String cluster = "n0=" + peerUrl(ports[0]) + ",n1=" + peerUrl(ports[1]) + ",n2=" + peerUrl(ports[2]);
    return NodeConfig.builder().name("n" + i).dataDir(dir.resolve("n" + i))
        .listenPeerUrls(List.of(peerUrl(ports[i]))).initialAdvertisePeerUrls(List.of(peerUrl(ports[i])))
        .initialCluster(cluster).initialClusterToken("auth").electionTimeoutMs(1000).bcryptCost(4).build();
  }

  @AfterEach
  void stopAll() {
    for (KeywayNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Test
  void loginOnOneMemberWorksOnAllAndUserDeletionEndsItEverywhere() throws Exception {
    for (int i = 0; i < 3; i++) {
      nodes[i] = KeywayNode.start(config(i));
    }
    for (KeywayNode n : nodes) {
      assertTrue(n.awaitLeader(Duration.ofSeconds(30)));
    }
    AuthService a0 = nodes[0].auth();
    await(a0.call(null, AuthUserAddRequest.newBuilder().setName("root").setPassword("pw").build()));
    await(a0.call(null, AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build()));
    await(a0.call(null, AuthUserAddRequest.newBuilder().setName("u").setPassword("upw").build()));
    await(a0.call(null, AuthEnableRequest.getDefaultInstance()));

    for (int login = 0; login < 3; login++) {
      String token = ((AuthenticateResponse) await(nodes[login].auth().call(null,
          AuthenticateRequest.newBuilder().setName("u").setPassword("upw").build()))).getToken();
      for (KeywayNode n : nodes) {
        // a member that has not applied the login yet waits for it instead of refusing the token
        AuthInfo who = await(n.auth().identifyAsync(token));
        assertEquals("u", who.username());
        assertEquals(n.auth().store().revision(), who.revision());
      }
    }
    long revision = nodes[0].auth().store().revision();
    for (KeywayNode n : nodes) {
      assertEquals(revision, n.auth().store().revision(), "same auth revision everywhere");
    }

    String token = ((AuthenticateResponse) await(nodes[1].auth().call(null,
        AuthenticateRequest.newBuilder().setName("u").setPassword("upw").build()))).getToken();
    String rootToken = ((AuthenticateResponse) await(nodes[2].auth().call(null,
        AuthenticateRequest.newBuilder().setName("root").setPassword("pw").build()))).getToken();
    AuthInfo root = await(nodes[2].auth().identifyAsync(rootToken));
    await(nodes[2].auth().call(root, AuthUserDeleteRequest.newBuilder().setName("u").build()));
    for (KeywayNode n : nodes) {
      ClusterTest.eventually(() -> n.auth().store().user("u") == null, "the deletion is applied");
      EtcdException e = assertThrows(EtcdException.class, () -> await(n.auth().identifyAsync(token)));
      assertEquals(EtcdError.INVALID_AUTH_TOKEN.message(), e.getMessage());
    }

    // the auth store survives a restart; simple tokens live in memory only (as etcd's)
    nodes[0].close();
    nodes[0] = KeywayNode.start(config(0));
    assertTrue(nodes[0].awaitLeader(Duration.ofSeconds(30)));
    assertTrue(nodes[0].auth().isEnabled());
    ClusterTest.eventually(() -> nodes[0].auth().store().revision() == nodes[2].auth().store().revision(),
        "the restarted member catches up");
    EtcdException gone = assertThrows(EtcdException.class, () -> nodes[0].auth().identify(rootToken));
    assertEquals(EtcdError.INVALID_AUTH_TOKEN.message(), gone.getMessage());
  }
}
