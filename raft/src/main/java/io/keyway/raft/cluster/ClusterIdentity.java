package io.keyway.raft.cluster;

import io.keyway.raft.storage.Fsync;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Who this member is and which cluster it belongs to. Computed once from the bootstrap flags and then persisted
 * in the data dir, so a restarted member keeps its ids even if the flags change (etcd ignores --initial-cluster
 * once a data dir exists, too).
 */
public record ClusterIdentity(String name, long memberId, long clusterId, String clusterToken,
                              List<MemberInfo> members) {
  static final String FILE_NAME = "keyway-cluster.properties";

  public ClusterIdentity {
    members = List.copyOf(members);
  }

  public MemberInfo self() {
    return members.stream().filter(m -> m.id() == memberId).findFirst()
        .orElseThrow(() -> new IllegalStateException("member " + ClusterIds.hex(memberId) + " not in its cluster"));
  }

  /** Bootstrap from --initial-cluster; cluster id from all member ids as etcd's genID does. */
  public static ClusterIdentity bootstrap(String name, String initialCluster, String clusterToken,
                                          List<String> advertisePeerUrls) {
    List<MemberInfo> members = InitialCluster.members(InitialCluster.parse(initialCluster), clusterToken);
    MemberInfo self = members.stream().filter(m -> m.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "couldn't find local name \"" + name + "\" in the initial cluster configuration"));
    if (advertisePeerUrls != null && !advertisePeerUrls.isEmpty()
        && !PeerUrls.normalize(advertisePeerUrls).equals(self.peerUrls())) {
      throw new IllegalArgumentException("--initial-cluster has " + name + "=" + String.join(",", self.peerUrls())
          + " but missing from --initial-advertise-peer-urls=" + String.join(",", advertisePeerUrls));
    }
    long clusterId = ClusterIds.clusterId(members.stream().map(MemberInfo::id).toList());
    return new ClusterIdentity(name, self.id(), clusterId, clusterToken, members);
  }

  public static ClusterIdentity load(Path memberDir) throws IOException {
    Path file = memberDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    int count = Integer.parseInt(p.getProperty("members"));
    List<MemberInfo> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String prefix = "member." + i + ".";
      members.add(new MemberInfo(
          ClusterIds.parseHex(p.getProperty(prefix + "id")),
          p.getProperty(prefix + "name"),
          Arrays.asList(p.getProperty(prefix + "peerURLs").split(",")),
          Boolean.parseBoolean(p.getProperty(prefix + "learner"))));
    }
    return new ClusterIdentity(p.getProperty("name"), ClusterIds.parseHex(p.getProperty("memberId")),
        ClusterIds.parseHex(p.getProperty("clusterId")), p.getProperty("clusterToken"), members);
  }

  /** Atomic and durable: written to a temp file, fsynced, renamed over the old one. */
  public void save(Path memberDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("name", name);
    p.setProperty("memberId", ClusterIds.hex(memberId));
    p.setProperty("clusterId", ClusterIds.hex(clusterId));
    p.setProperty("clusterToken", clusterToken);
    p.setProperty("members", Integer.toString(members.size()));
    for (int i = 0; i < members.size(); i++) {
      MemberInfo m = members.get(i);
      String prefix = "member." + i + ".";
      p.setProperty(prefix + "id", ClusterIds.hex(m.id()));
      p.setProperty(prefix + "name", m.name());
      p.setProperty(prefix + "peerURLs", String.join(",", m.peerUrls()));
      p.setProperty(prefix + "learner", Boolean.toString(m.learner()));
    }
    Files.createDirectories(memberDir);
    Path tmp = memberDir.resolve(FILE_NAME + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "Keyway member identity; do not edit");
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, memberDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    Fsync.directory(memberDir);
  }
}
