package io.keyway.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed contract is exactly what the generator derives from the protos and the route table, its
 * references resolve, and its schemas say what etcd's gateway writes (spot checks of §2.2–2.3 of the
 * reference). Regenerate with {@code ./mvnw -pl openapi -am test -Dtest=ContractFileTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dkeyway.openapi.write=true}.
 */
class ContractFileTest {
  private static final Path FILE = Path.of(System.getProperty("keyway.openapi.file", "keyway-openapi.json"));

  @Test
  void committedContractIsTheGeneratedOne() throws Exception {
    String generated = ContractGenerator.render();
    if (Boolean.getBoolean("keyway.openapi.write")) {
      Files.writeString(FILE, generated);
    }
    assertEquals(generated, Files.readString(FILE), FILE + " is stale: regenerate it (see this test's javadoc)");
  }

  @Test
  void everyReferenceResolves() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(ContractGenerator.render());
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertTrue(refs.size() > 100, "refs: " + refs.size());
    for (String ref : refs) {
      assertTrue(ref.startsWith("#/components/schemas/"), ref);
      assertTrue(doc.path("components").path("schemas").has(ref.substring("#/components/schemas/".length())),
          "dangling " + ref);
    }
  }

  @Test
  void everyRouteIsAPostWithRequestAndResponseSchemas() {
    JsonNode paths = ContractGenerator.document().path("paths");
    for (HttpRoute route : HttpRoutes.all()) {
      JsonNode post = paths.path(route.path()).path("post");
      assertTrue(post.path("requestBody").path("content").has("application/json"), route.path());
      assertTrue(post.path("responses").has("200"), route.path());
      assertTrue(post.path("responses").has("default"), route.path());
    }
    assertEquals(51, HttpRoutes.all().size(), "etcd 3.5's gateway: 48 RPC routes + 3 /v3/kv/lease/* aliases");
  }

  @Test
  void schemasFollowTheGatewaysJsonRules() {
    JsonNode schemas = ContractGenerator.document().path("components").path("schemas");
    JsonNode range = schemas.path("etcdserverpbRangeResponse").path("properties");
    assertEquals("string", range.path("count").path("type").asText(), "int64 is a JSON string");
    assertEquals("boolean", range.path("more").path("type").asText());
    assertEquals("#/components/schemas/mvccpbKeyValue", range.path("kvs").path("items").path("$ref").asText());
    JsonNode kv = schemas.path("mvccpbKeyValue").path("properties");
    assertEquals("byte", kv.path("key").path("format").asText(), "bytes are base64");
    assertEquals("integer", schemas.path("etcdserverpbHashResponse").path("properties").path("hash").path("type")
        .asText(), "uint32 is a JSON number");
    assertTrue(schemas.path("etcdserverpbLeaseGrantRequest").path("properties").has("TTL"));
    assertTrue(schemas.path("etcdserverpbLeaseGrantRequest").path("properties").has("ID"));
    assertTrue(schemas.path("etcdserverpbMember").path("properties").has("peerURLs"));
    assertTrue(schemas.path("etcdserverpbMember").path("properties").has("isLearner"));
    assertTrue(schemas.path("etcdserverpbAuthUserRevokeRoleRequest").path("properties").has("name"));
    assertEquals("[\"PUT\",\"DELETE\"]", schemas.path("mvccpbEvent").path("properties").path("type").path("enum")
        .toString());
    assertEquals(false, schemas.path("etcdserverpbPutResponse").path("additionalProperties").asBoolean(true));
  }

  @Test
  void tryItOutCallsTheServingMemberWithTheTokenHeader() {
    JsonNode doc = ContractGenerator.document();
    assertEquals(".", doc.path("servers").path(0).path("url").asText(), "relative to the document's own URL");
    JsonNode scheme = doc.path("components").path("securitySchemes").path(ContractGenerator.TOKEN_SCHEME);
    assertEquals("{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"Authorization\"}",
        ((ObjectNode) scheme.deepCopy()).without("description").toString(), "etcd's gateway reads the token from Authorization");
    assertEquals("[{},{\"etcdToken\":[]}]", doc.path("security").toString(), "optional: auth may be disabled");
  }

  private static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals("$ref")) {
          out.add(e.getValue().asText());
        } else {
          collectRefs(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }
}
