package io.keyway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Views of gateway responses with the parts that legitimately differ between two servers taken out. */
final class EtcdJson {

  private EtcdJson() {}

  /**
   * Drops cluster_id, member_id and raft_term from every {@code header} object: random per cluster and per
   * election, so no two servers agree on them.
   */
  static JsonNode withoutMemberIds(JsonNode response) {
    JsonNode copy = response.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getKey().equals("header") && field.getValue().isObject()) {
          ((ObjectNode) field.getValue()).remove(List.of("cluster_id", "member_id", "raft_term"));
        }
        strip(field.getValue());
      }
    } else if (node.isArray()) {
      node.forEach(EtcdJson::strip);
    }
  }

  /** The store revision in a response header (an int64, so a JSON string). */
  static long revision(JsonNode response) {
    return Long.parseLong(response.path("header").path("revision").asText());
  }
}
