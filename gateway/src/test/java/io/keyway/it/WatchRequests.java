package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** JSON WatchRequests for the gateway's {@code /v3/watch}, and small readers of the responses. */
final class WatchRequests {
  private WatchRequests() {}

  /** {@code {"create_request":{"key":b64(key), ...extra}}}; extra pairs as in {@link Json#obj}. */
  static String create(String key, Object... extra) {
    ObjectNode create = obj("key", b64(key));
    create.setAll(obj(extra));
    return obj("create_request", create).toString();
  }

  /** A create for every key starting with {@code prefix}. */
  static String createPrefix(String prefix, Object... extra) {
    List<Object> all = new ArrayList<>(List.of("range_end", b64(Json.prefixEnd(prefix))));
    all.addAll(List.of(extra));
    return create(prefix, all.toArray());
  }

  static String cancel(long watchId) {
    return obj("cancel_request", obj("watch_id", Long.toString(watchId))).toString();
  }

  static String progress() {
    return "{\"progress_request\":{}}";
  }

  /** The watch id of a response (absent means 0, as jsonpb omits zero values). */
  static long watchId(JsonNode result) {
    return Long.parseLong(result.path("watch_id").asText("0"));
  }

  static long revision(JsonNode result) {
    return Long.parseLong(result.path("header").path("revision").asText("0"));
  }

  /** Responses that arrive together for one revision come in no fixed order across watchers (etcd iterates a map). */
  static List<JsonNode> byWatchId(List<JsonNode> results) {
    List<JsonNode> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingLong(WatchRequests::watchId));
    return sorted;
  }

  /** {@code {"key":…, "create_revision":…, …}} as etcd prints a KeyValue (zero fields omitted). */
  static ObjectNode kv(String key, long create, long mod, long version, String value) {
    return obj("key", b64(key), "create_revision", Long.toString(create), "mod_revision", Long.toString(mod),
        "version", Long.toString(version), "value", value == null || value.isEmpty() ? null : b64(value));
  }

  /** A DELETE event's kv: only the key and the deletion revision. */
  static ObjectNode deletedKv(String key, long mod) {
    return obj("key", b64(key), "mod_revision", Long.toString(mod));
  }
}
