package io.keyway.raft.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses etcd's --initial-cluster value: comma separated name=url pairs; a name may repeat for several URLs. */
public final class InitialCluster {
  private InitialCluster() {}

  public static Map<String, List<String>> parse(String value) {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--initial-cluster is empty");
    }
    for (String pair : value.split(",")) {
      String trimmed = pair.trim();
      int eq = trimmed.indexOf('=');
      if (eq <= 0 || eq == trimmed.length() - 1) {
        throw new IllegalArgumentException("invalid --initial-cluster entry \"" + trimmed + "\": want name=url");
      }
      String name = trimmed.substring(0, eq).trim();
      String url = trimmed.substring(eq + 1).trim();
      byName.computeIfAbsent(name, n -> new ArrayList<>()).add(url);
    }
    Map<String, List<String>> normalized = new LinkedHashMap<>();
    byName.forEach((name, urls) -> normalized.put(name, PeerUrls.normalize(urls)));
    return normalized;
  }

  /** Members with etcd's ids, in the order they were named. */
  public static List<MemberInfo> members(Map<String, List<String>> urlsByName, String clusterToken) {
    List<MemberInfo> members = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : urlsByName.entrySet()) {
      long id = ClusterIds.memberId(e.getValue(), clusterToken);
      if (id == 0) {
        throw new IllegalArgumentException("cannot use 0 as member id");
      }
      for (MemberInfo other : members) {
        if (other.id() == id) {
          throw new IllegalArgumentException("member exists with identical ID " + ClusterIds.hex(id));
        }
      }
      members.add(new MemberInfo(id, e.getKey(), e.getValue(), false));
    }
    return members;
  }
}
