package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** etcd's gateway contract for errors and headers, with the documented 3.4-vs-3.5 differences allowed for. */
final class GatewayAssertions {

  static final int FAILED_PRECONDITION = 9;

  private GatewayAssertions() {}

  /**
   * Status plus the exact error body. etcd 3.5's gateway (grpc-gateway v1.16) writes
   * {@code {"error":M,"code":C,"message":M}}; Debian's 3.4.23 (grpc-gateway v1.6.4) writes the same fields in the
   * order error, message, code and maps FailedPrecondition to 412 instead of 400.
   */
  static void assertEtcdError(ServerProcess server, HttpResult result, int httpStatus, int grpcCode, String message) {
    boolean etcd34 = ServerUnderTest.isEtcd34(server);
    int expectedStatus = etcd34 && grpcCode == FAILED_PRECONDITION ? 412 : httpStatus;
    assertEquals(expectedStatus, result.status(), () -> "status of " + result);
    assertJsonContentType(result);
    String quoted = quote(message);
    String expected = etcd34
        ? "{\"error\":" + quoted + ",\"message\":" + quoted + ",\"code\":" + grpcCode + "}"
        : "{\"error\":" + quoted + ",\"code\":" + grpcCode + ",\"message\":" + quoted + "}";
    assertEquals(expected, result.body());
  }

  /**
   * A JSON decoding failure: InvalidArgument (400, code 3) in etcd's error shape. The text comes from the JSON
   * library (Go's encoding/json in etcd), so only its presence and the shape are compared.
   */
  static void assertDecodeError(ServerProcess server, HttpResult result) {
    assertEquals(400, result.status(), () -> "status of " + result);
    assertJsonContentType(result);
    JsonNode body = result.json();
    List<String> fields = new ArrayList<>();
    body.fieldNames().forEachRemaining(fields::add);
    List<String> expectedOrder = ServerUnderTest.isEtcd34(server)
        ? List.of("error", "message", "code")
        : List.of("error", "code", "message");
    assertEquals(expectedOrder, fields, result::toString);
    assertEquals(3, body.path("code").asInt(), result::toString);
    assertTrue(body.path("code").isInt(), result::toString);
    assertFalse(body.path("error").asText().isEmpty(), result::toString);
    assertEquals(body.path("error"), body.path("message"), result::toString);
  }

  static void assertJsonContentType(HttpResult result) {
    assertEquals("application/json", result.header("Content-Type"), () -> "Content-Type of " + result);
  }

  /** etcd's default --cors=* puts these on every response, errors and 404s included. */
  static void assertCorsHeaders(HttpResult result) {
    assertEquals("POST, GET, OPTIONS, PUT, DELETE", result.header("Access-Control-Allow-Methods"), result::toString);
    assertEquals("*", result.header("Access-Control-Allow-Origin"), result::toString);
    assertEquals("accept, content-type, authorization", result.header("Access-Control-Allow-Headers"),
        result::toString);
  }

  /** A top-level header: every id is a uint64 printed as a decimal string. */
  static void assertFullHeader(JsonNode response) {
    JsonNode header = response.path("header");
    for (String field : List.of("cluster_id", "member_id", "revision", "raft_term")) {
      assertTrue(header.path(field).isTextual() && header.path(field).asText().matches("[0-9]+"),
          () -> "header." + field + " must be a decimal string: " + response);
    }
  }

  private static String quote(String text) {
    try {
      return Json.MAPPER.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
