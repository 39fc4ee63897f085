package io.keyway.raft;

import static io.keyway.raft.TestNodes.get;
import static io.keyway.raft.TestNodes.peerUrl;
import static io.keyway.raft.TestNodes.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmRequest;
import io.keyway.api.etcdserverpb.AlarmType;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The space quota in a three-member cluster: one member over its quota raises NOSPACE through Raft, after
 * which every member refuses writes that add data, until the alarm is disarmed.
 */
class QuotaClusterTest {
  @TempDir Path dir;
  final int[] ports = TestNodes.freePorts(3);
  final KeywayNode[] nodes = new KeywayNode[3];

  @AfterEach
  void stopAll() {
    for (KeywayNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  private NodeConfig config(int i, long quota) {
    String cluster = "n0=" + peerUrl(ports[0]) + ",n1=" + peerUrl(ports[1]) + ",n2=" + peerUrl(ports[2]);
    return NodeConfig.builder().name("n" + i).dataDir(dir.resolve("n" + i))
        .listenPeerUrls(List.of(peerUrl(ports[i]))).initialAdvertisePeerUrls(List.of(peerUrl(ports[i])))
        .initialCluster(cluster).initialClusterToken("quota").quotaBackendBytes(quota).build();
  }

  private static EtcdError failure(java.util.concurrent.CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
    return assertInstanceOf(EtcdException.class, e.getCause()).error();
  }

  @Test
  void oneMemberOverQuotaStopsWritesEverywhereUntilDisarmed() throws Exception {
    // n2's quota of one byte is always exceeded; the others have etcd's default
    for (int i = 0; i < 3; i++) {
      nodes[i] = KeywayNode.start(config(i, i == 2 ? 1 : 0));
    }
    for (KeywayNode n : nodes) {
      assertTrue(n.awaitLeader(Duration.ofSeconds(30)), "leader elected");
    }
    nodes[0].put(put("a", "1")).get(30, TimeUnit.SECONDS);

    assertEquals(EtcdError.NO_SPACE, failure(nodes[2].put(put("b", "2"))));
    AlarmMember raised = AlarmMember.newBuilder().setMemberID(nodes[2].memberId()).setAlarm(AlarmType.NOSPACE)
        .build();
    for (KeywayNode n : nodes) {
      ClusterTest.eventually(() -> n.activeAlarms().equals(List.of(raised)), "NOSPACE applied on " + n.name());
    }
    for (KeywayNode n : nodes) {
      assertEquals(EtcdError.NO_SPACE, failure(n.put(put("c", "3"))));
      assertEquals(EtcdError.NO_SPACE, failure(n.grant(LeaseGrantRequest.newBuilder().setTTL(60).build())));
    }
    // reads and deletes still work
    assertEquals(1, nodes[1].range(get("a")).get(30, TimeUnit.SECONDS).getCount());
    assertEquals(1, nodes[0].deleteRange(DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("a"))
        .build()).get(30, TimeUnit.SECONDS).getDeleted());

    nodes[0].alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.DEACTIVATE)
        .setMemberID(nodes[2].memberId()).setAlarm(AlarmType.NOSPACE).build()).get(30, TimeUnit.SECONDS);
    for (KeywayNode n : nodes) {
      ClusterTest.eventually(() -> n.activeAlarms().isEmpty(), "alarm disarmed on " + n.name());
    }
    nodes[0].put(put("d", "4")).get(30, TimeUnit.SECONDS);
    nodes[1].put(put("e", "5")).get(30, TimeUnit.SECONDS);
    // n2 is still over its own quota: its next write raises the alarm again
    assertEquals(EtcdError.NO_SPACE, failure(nodes[2].put(put("f", "6"))));
  }
}
