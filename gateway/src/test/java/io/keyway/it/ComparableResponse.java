package io.keyway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A gateway response reduced to what two etcd-compatible servers must agree on: status, Content-Type and the body
 * without member-specific ids. Only documented differences are normalised away.
 */
record ComparableResponse(int status, String contentType, JsonNode json, String text) {

  static ComparableResponse of(HttpResult result, KvStep step, boolean fromEtcd34) {
    int status = result.status();
    JsonNode json = null;
    try {
      json = Json.MAPPER.readTree(result.body());
    } catch (Exception notJson) {
      // 404/405 bodies are plain text; compared verbatim
    }
    if (json != null && !json.isContainerNode()) {
      json = null;
    }
    if (json != null) {
      json = EtcdJson.withoutMemberIds(json);
      if (fromEtcd34 && status == 412 && json.path("code").asInt() == GatewayAssertions.FAILED_PRECONDITION) {
        status = 400; // documented: Debian's grpc-gateway v1.6.4 maps FailedPrecondition to 412, 3.5 to 400
      }
      if (step.decoderError() && status == 400 && json.path("code").asInt() == 3 && json.isObject()) {
        // the text comes from Go's encoding/json vs Keyway's parser; only its presence is part of the contract
        ObjectNode error = (ObjectNode) json;
        boolean sameText = error.path("error").equals(error.path("message")) && !error.path("error").asText().isEmpty();
        error.set("error", TextNode.valueOf(sameText ? "<decoder error>" : "<inconsistent: " + error + ">"));
        error.set("message", TextNode.valueOf(sameText ? "<decoder error>" : "<inconsistent>"));
      }
    }
    String contentType = result.header("Content-Type");
    return new ComparableResponse(status, contentType == null ? null : contentType.replace(" ", "").toLowerCase(),
        json, json == null ? result.body() : null);
  }

  /** Null when the responses agree, else a one-line description of the first difference. */
  String differenceFrom(ComparableResponse keyway) {
    if (status != keyway.status) {
      return "status: etcd " + status + " but keyway " + keyway.status;
    }
    if (contentType == null ? keyway.contentType != null : !contentType.equals(keyway.contentType)) {
      return "Content-Type: etcd " + contentType + " but keyway " + keyway.contentType;
    }
    if (json != null && keyway.json != null) {
      return JsonDiff.firstDifference(json, keyway.json);
    }
    if (json != null || keyway.json != null) {
      return "body: etcd " + this.bodyText() + " but keyway " + keyway.bodyText();
    }
    return text.equals(keyway.text) ? null : "body: etcd " + text + " but keyway " + keyway.text;
  }

  String bodyText() {
    return json != null ? json.toString() : text;
  }

  @Override
  public String toString() {
    return status + " [" + contentType + "] " + bodyText();
  }
}
