package io.keyway.gateway.v2;

import io.keyway.api.mvccpb.KeyValue;
import io.keyway.gateway.json.GoStrings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One node as etcd's {@code NodeExtern} prints it: fields in etcd's order, each omitted when empty (a root has
 * no key and no indexes, a directory no value, a permanent node no expiration).
 */
final class V2Node {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  final String key;
  final String value;
  final boolean dir;
  final Instant expiration;
  final long modifiedIndex;
  final long createdIndex;
  List<V2Node> nodes;

  V2Node(String key, String value, boolean dir, Instant expiration, long modifiedIndex, long createdIndex) {
    this.key = key;
    this.value = value;
    this.dir = dir;
    this.expiration = expiration;
    this.modifiedIndex = modifiedIndex;
    this.createdIndex = createdIndex;
  }

  /**
   * The node a v3 key holds (a v2 node key), as it was in {@code kv}. A directory's modifiedIndex is its
   * createdIndex: etcd's v2 store never moves it (a TTL update of a directory leaves it, though the update's own
   * event carries the new index).
   */
  static V2Node of(KeyValue kv) {
    boolean dir = V2Keys.isDirKey(kv.getKey());
    return at(kv, dir ? kv.getCreateRevision() : kv.getModRevision());
  }

  /** The node in {@code kv} as the event that wrote it at {@code modifiedIndex} shows it. */
  static V2Node at(KeyValue kv, long modifiedIndex) {
    boolean dir = V2Keys.isDirKey(kv.getKey());
    return new V2Node(V2Keys.path(kv.getKey()), dir ? null : kv.getValue().toString(StandardCharsets.UTF_8), dir,
        TtlLeases.expiration(kv.getLease()), modifiedIndex, kv.getCreateRevision());
  }

  /** A copy at another key and indexes (the node of a delete event keeps only its key, dir flag and indexes). */
  static V2Node bare(String key, boolean dir, long modifiedIndex, long createdIndex) {
    return new V2Node(key, null, dir, null, modifiedIndex, createdIndex);
  }

  void sortChildren() {
    if (nodes != null) {
      nodes.sort(Comparator.comparing(n -> n.key));
    }
  }

  void addChild(V2Node child) {
    if (nodes == null) {
      nodes = new ArrayList<>();
    }
    nodes.add(child);
  }

  void appendJson(StringBuilder sb, long nowMillis) {
    sb.append('{');
    int start = sb.length();
    if (key != null && !key.isEmpty()) {
      sb.append("\"key\":").append(GoStrings.jsonString(key));
    }
    if (value != null) {
      comma(sb, start).append("\"value\":").append(GoStrings.jsonString(value));
    }
    if (dir) {
      comma(sb, start).append("\"dir\":true");
    }
    if (expiration != null) {
      comma(sb, start).append("\"expiration\":\"").append(rfc3339Nano(expiration)).append('"');
      long ttl = TtlLeases.ttl(expiration, nowMillis);
      if (ttl != 0) {
        comma(sb, start).append("\"ttl\":").append(ttl);
      }
    }
    if (nodes != null && !nodes.isEmpty()) {
      comma(sb, start).append("\"nodes\":[");
      for (int i = 0; i < nodes.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        nodes.get(i).appendJson(sb, nowMillis);
      }
      sb.append(']');
    }
    if (modifiedIndex != 0) {
      comma(sb, start).append("\"modifiedIndex\":").append(modifiedIndex);
    }
    if (createdIndex != 0) {
      comma(sb, start).append("\"createdIndex\":").append(createdIndex);
    }
    sb.append('}');
  }

  private static StringBuilder comma(StringBuilder sb, int start) {
    return sb.length() > start ? sb.append(',') : sb;
  }

  /** Go's RFC3339Nano in UTC: fractional seconds without trailing zeros, none at all when whole. */
  static String rfc3339Nano(Instant t) {
    StringBuilder sb = new StringBuilder(SECONDS.format(t));
    int nanos = t.getNano();
    if (nanos != 0) {
      String frac = String.format("%09d", nanos);
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(frac, 0, end);
    }
    return sb.append('Z').toString();
  }
}
