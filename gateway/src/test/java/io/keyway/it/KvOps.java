package io.keyway.it;

import static io.keyway.it.Json.arr;
import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Builders for KV request bodies and txn ops in etcd's JSON spelling; keys and values given as plain text. */
final class KvOps {

  private KvOps() {}

  static ObjectNode put(String key, String value, Object... extra) {
    return with(obj("key", b64(key), "value", value.isEmpty() ? null : b64(value)), extra);
  }

  static ObjectNode range(String key, String rangeEnd, Object... extra) {
    return with(obj("key", b64(key), "range_end", rangeEnd == null ? null : b64(rangeEnd)), extra);
  }

  static ObjectNode delete(String key, String rangeEnd, Object... extra) {
    return range(key, rangeEnd, extra);
  }

  static ObjectNode txn(List<? extends JsonNode> compares, List<? extends JsonNode> success,
      List<? extends JsonNode> failure) {
    ObjectNode txn = obj();
    if (!compares.isEmpty()) {
      txn.set("compare", array(compares));
    }
    if (!success.isEmpty()) {
      txn.set("success", array(success));
    }
    if (!failure.isEmpty()) {
      txn.set("failure", array(failure));
    }
    return txn;
  }

  /** A compare; {@code value} is text for VALUE and a (possibly templated) int64 string otherwise. */
  static ObjectNode compare(String key, String target, String result, String value, String rangeEnd) {
    String field = switch (target) {
      case "VERSION" -> "version";
      case "CREATE" -> "create_revision";
      case "MOD" -> "mod_revision";
      case "VALUE" -> "value";
      case "LEASE" -> "lease";
      default -> throw new IllegalArgumentException(target);
    };
    return obj("key", b64(key), "range_end", rangeEnd == null ? null : b64(rangeEnd), "target", target,
        "result", result, field, target.equals("VALUE") ? b64(value) : value);
  }

  static ObjectNode putOp(String key, String value, Object... extra) {
    return obj("request_put", put(key, value, extra));
  }

  static ObjectNode rangeOp(String key, String rangeEnd, Object... extra) {
    return obj("request_range", range(key, rangeEnd, extra));
  }

  static ObjectNode deleteOp(String key, String rangeEnd, Object... extra) {
    return obj("request_delete_range", delete(key, rangeEnd, extra));
  }

  static ObjectNode txnOp(ObjectNode txn) {
    return obj("request_txn", txn);
  }

  static ArrayNode array(List<? extends JsonNode> nodes) {
    ArrayNode array = arr();
    nodes.forEach(array::add);
    return array;
  }

  private static ObjectNode with(ObjectNode node, Object... extra) {
    node.setAll(obj(extra));
    return node;
  }
}
