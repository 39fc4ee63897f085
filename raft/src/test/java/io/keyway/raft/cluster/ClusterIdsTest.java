package io.keyway.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterIdsTest {

  @Test
  void etcdDefaultMemberAndClusterIds() {
    // what a plain `etcd` with default flags reports: member 8e9e05c52164694d, cluster cdf818194e3a8c32
    ClusterIdentity id = ClusterIdentity.bootstrap("default", "default=http://localhost:2380", "etcd-cluster",
        List.of("http://localhost:2380"));
    assertEquals("8e9e05c52164694d", ClusterIds.hex(id.memberId()));
    assertEquals("cdf818194e3a8c32", ClusterIds.hex(id.clusterId()));
  }

  @Test
  void threeMemberClusterMatchesEtcd() {
    // ids printed by etcd 3.4.23 started with exactly these flags ("added member ... to cluster ...")
    ClusterIdentity id = ClusterIdentity.bootstrap("infra1",
        "infra0=http://127.0.0.1:23801,infra1=http://127.0.0.1:23802,infra2=http://127.0.0.1:23803", "oracle-tok",
        List.of("http://127.0.0.1:23802"));
    assertEquals("3f44ee2e605d3b1f", ClusterIds.hex(id.memberId()));
    assertEquals("1a0028734d2c688d", ClusterIds.hex(id.clusterId()));
    assertEquals(List.of("93d75aca3bb38634", "3f44ee2e605d3b1f", "d1415bb59492adf0"),
        id.members().stream().map(m -> ClusterIds.hex(m.id())).toList());
  }

  @Test
  void memberIdSortsPeerUrls() {
    long a = ClusterIds.memberId(List.of("http://10.0.0.2:2380", "http://10.0.0.1:2380"), "t");
    long b = ClusterIds.memberId(List.of("http://10.0.0.1:2380", "http://10.0.0.2:2380"), "t");
    assertEquals(a, b);
    assertNotEquals(a, ClusterIds.memberId(List.of("http://10.0.0.1:2380", "http://10.0.0.2:2380"), "u"));
  }

  @Test
  void clusterIdIndependentOfMemberOrder() {
    ClusterIdentity one = ClusterIdentity.bootstrap("a", "a=http://h1:1,b=http://h2:2,c=http://h3:3", "tok",
        List.of("http://h1:1"));
    ClusterIdentity two = ClusterIdentity.bootstrap("b", "c=http://h3:3,b=http://h2:2,a=http://h1:1", "tok",
        List.of("http://h2:2"));
    assertEquals(one.clusterId(), two.clusterId());
    assertEquals(3, one.members().size());
  }

  @Test
  void rejectsBadBootstrapFlags() {
    assertThrows(IllegalArgumentException.class,
        () -> ClusterIdentity.bootstrap("x", "a=http://h1:1", "tok", List.of("http://h1:1")));
    assertThrows(IllegalArgumentException.class,
        () -> ClusterIdentity.bootstrap("a", "a=http://h1:1", "tok", List.of("http://h9:9")));
    assertThrows(IllegalArgumentException.class,
        () -> ClusterIdentity.bootstrap("a", "a=http://h1:1/path", "tok", List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> ClusterIdentity.bootstrap("a", "a=http://h1", "tok", List.of()));
  }

  @Test
  void persistsAndReloads(@TempDir Path dir) throws Exception {
    ClusterIdentity id = ClusterIdentity.bootstrap("b", "a=http://h1:1,b=http://h2:2,b=http://h2b:22", "tok",
        List.of("http://h2b:22", "http://h2:2"));
    id.save(dir);
    ClusterIdentity loaded = ClusterIdentity.load(dir);
    assertEquals(id, loaded);
    assertEquals(List.of("http://h2:2", "http://h2b:22"), loaded.self().peerUrls());
  }
}
