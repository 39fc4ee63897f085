package io.keyway.openapi;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds Keyway's OpenAPI 3.0 contract of the HTTP/JSON API from the route table and the wire protos, so the
 * schemas cannot drift from the messages the server speaks. {@code keyway-openapi.json} in this module is its
 * committed output; ContractFileTest fails when they differ.
 */
public final class ContractGenerator {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** The security scheme of the auth token (its name in {@code components.securitySchemes}). */
  static final String TOKEN_SCHEME = "etcdToken";

  private ContractGenerator() {}

  /** Writes the contract to the path given (default {@code keyway-openapi.json}). */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "keyway-openapi.json");
    Files.writeString(out, render());
  }

  /** The contract as pretty-printed JSON with a trailing newline. */
  public static String render() throws IOException {
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    return new ObjectMapper().writer(printer).writeValueAsString(document()) + "\n";
  }

  static ObjectNode document() {
    ObjectNode doc = JSON.objectNode().put("openapi", "3.0.3");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Keyway HTTP/JSON API (etcd v3 gateway)");
    info.put("version", "3.5");
    info.put("description", """
        etcd 3.5's HTTP/JSON gateway as Keyway serves it: every route is POST with the JSON form of the RPC's \
        request as the body, also under /v3beta and /v3alpha. Responses use proto field names; int64 and uint64 \
        are decimal strings; bytes are standard base64 with padding; enums are names; zero values, empty lists \
        and unset messages are omitted. Requests are lenient as etcd's: numbers may also be JSON numbers, enums \
        their numbers, and unknown fields are ignored. Streaming routes answer with chunked \
        application/json: one {"result":…} or {"error":…} object per line; /v3/watch and /v3/lease/keepalive \
        also accept a WebSocket upgrade (text or binary frames in, one {"result":…} text frame per response out). \
        Errors carry the gRPC code and etcd's message.""");
    // relative: resolved against the document's own URL, so a member serving /openapi.json (also behind a
    // reverse proxy under a path prefix) is the server Swagger UI's "Try it out" calls
    doc.putArray("servers").addObject().put("url", ".")
        .put("description", "the member (or proxy path) that serves this document");
    // optional: with auth disabled every route is open; with it enabled, the token from /v3/auth/authenticate
    doc.putArray("security").add(JSON.objectNode()).addObject().putArray(TOKEN_SCHEME);

    MessageSchemas schemas = new MessageSchemas();
    ObjectNode paths = doc.putObject("paths");
    for (HttpRoute route : HttpRoutes.all()) {
      paths.putObject(route.path()).set("post", operation(route, schemas));
    }
    plainEndpoints(paths);

    ObjectNode componentsNode = doc.putObject("components");
    componentsNode.putObject("securitySchemes").set(TOKEN_SCHEME, tokenScheme());
    ObjectNode components = componentsNode.putObject("schemas");
    for (Map.Entry<String, ObjectNode> e : schemas.all().entrySet()) {
      components.set(e.getKey(), e.getValue());
    }
    components.set("Error", errorSchema());
    components.set("StreamError", streamErrorSchema());
    for (HttpRoute route : HttpRoutes.all()) {
      if (route.serverStreams()) {
        components.set(streamName(route), streamResult(route));
      }
    }
    return doc;
  }

  static String streamName(HttpRoute route) {
    return "StreamResult" + MessageSchemas.name(route.method().getOutputType());
  }

  private static ObjectNode operation(HttpRoute route, MessageSchemas schemas) {
    ObjectNode op = JSON.objectNode();
    op.putArray("tags").add(route.tag());
    op.put("operationId", route.tag() + "_" + route.method().getName() + route.path().replace('/', '_')
        .replace('-', '_'));
    String request = schemas.add(route.method().getInputType());
    String response = schemas.add(route.method().getOutputType());
    op.put("summary", route.method().getFullName());
    if (route.clientStreams()) {
      op.put("description", "Bidirectional stream. Over HTTP the body is a sequence of concatenated JSON "
          + "requests, read as they arrive; over WebSocket each frame is one request.");
    } else if (route.serverStreams()) {
      op.put("description", "Server stream: one chunked {\"result\":…} line per response.");
    }
    ObjectNode body = op.putObject("requestBody");
    body.putObject("content").putObject("application/json").putObject("schema").put("$ref", request);
    ObjectNode responses = op.putObject("responses");
    ObjectNode ok = responses.putObject("200");
    if (route.serverStreams()) {
      ok.put("description", "a stream of newline-terminated {\"result\":…} objects, or one {\"error\":…} object");
      ok.putObject("content").putObject("application/json").putObject("schema")
          .put("$ref", "#/components/schemas/" + streamName(route));
    } else {
      ok.put("description", "the RPC's response");
      ok.putObject("content").putObject("application/json").putObject("schema").put("$ref", response);
    }
    ObjectNode error = responses.putObject("default");
    error.put("description", "an etcd error: HTTP status from the gRPC code (e.g. 400, 404, 412, 429, 503)");
    error.putObject("content").putObject("application/json").putObject("schema")
        .put("$ref", "#/components/schemas/Error");
    return op;
  }

  private static void plainEndpoints(ObjectNode paths) {
    ObjectNode version = JSON.objectNode().put("type", "object").put("additionalProperties", false);
    version.putObject("properties").putObject("etcdserver").put("type", "string");
    ((ObjectNode) version.get("properties")).putObject("etcdcluster").put("type", "string");
    getOperation(paths, "/version", "Misc", "the etcd version this member speaks", version);

    ObjectNode health = JSON.objectNode().put("type", "object").put("additionalProperties", false);
    ObjectNode props = health.putObject("properties");
    props.putObject("health").put("type", "string").putArray("enum").add("true").add("false");
    props.putObject("reason").put("type", "string");
    health.putArray("required").add("health");
    ObjectNode op = getOperation(paths, "/health", "Misc",
        "200 {\"health\":\"true\"} or 503 with a reason; ?exclude=NOSPACE and ?serializable=true as etcd 3.5", health);
    ((ObjectNode) op.get("responses")).putObject("503").put("description", "unhealthy").putObject("content")
        .putObject("application/json").putObject("schema").setAll(health.deepCopy());

    ObjectNode text = JSON.objectNode().put("type", "string");
    for (String probe : new String[] {"/livez", "/readyz"}) {
      ObjectNode p = paths.putObject(probe).putObject("get");
      p.putArray("tags").add("Misc");
      p.put("operationId", "Misc" + probe.replace('/', '_'));
      p.put("summary", "etcd 3.5's " + probe + ": text ok, or the failed checks; ?verbose lists every check");
      ObjectNode responses = p.putObject("responses");
      responses.putObject("200").put("description", "ok").putObject("content").putObject("text/plain")
          .putObject("schema").setAll(text.deepCopy());
      responses.putObject("503").put("description", "a check failed").putObject("content")
          .putObject("text/plain").putObject("schema").setAll(text.deepCopy());
    }
  }

  private static ObjectNode getOperation(ObjectNode paths, String path, String tag, String summary,
      ObjectNode schema) {
    ObjectNode op = paths.putObject(path).putObject("get");
    op.putArray("tags").add(tag);
    op.put("operationId", tag + path.replace('/', '_'));
    op.put("summary", summary);
    op.putObject("responses").putObject("200").put("description", "ok").putObject("content")
        .putObject("application/json").putObject("schema").setAll(schema);
    return op;
  }

  /** etcd's gateway takes the token from the Authorization header, as is or after "Bearer ". */
  private static ObjectNode tokenScheme() {
    ObjectNode scheme = JSON.objectNode().put("type", "apiKey").put("in", "header").put("name", "Authorization");
    scheme.put("description", "With auth enabled: the token that POST /v3/auth/authenticate returns for a name "
        + "and password, sent as is (or after \"Bearer \"). Without a token a call runs as no user: refused "
        + "with \"etcdserver: user name is empty\" where auth requires one.");
    return scheme;
  }

  private static ObjectNode errorSchema() {
    ObjectNode schema = JSON.objectNode().put("type", "object");
    schema.put("description", "grpc-gateway v1's error body: etcd's message twice (error, message) and the gRPC "
        + "code; an error without a message is just {\"code\":N}");
    ObjectNode p = schema.putObject("properties");
    p.putObject("error").put("type", "string");
    p.putObject("code").put("type", "integer").put("minimum", 0).put("maximum", 16);
    p.putObject("message").put("type", "string");
    p.putObject("details").put("type", "array").putObject("items").put("type", "object");
    schema.putArray("required").add("code");
    schema.put("additionalProperties", false);
    return schema;
  }

  private static ObjectNode streamErrorSchema() {
    ObjectNode schema = JSON.objectNode().put("type", "object");
    schema.put("description", "the error object that ends a chunked stream (grpc-gateway v1's stream error)");
    ObjectNode p = schema.putObject("properties");
    p.putObject("grpc_code").put("type", "integer").put("minimum", 0).put("maximum", 16);
    p.putObject("http_code").put("type", "integer");
    p.putObject("message").put("type", "string");
    p.putObject("http_status").put("type", "string");
    p.putObject("details").put("type", "array").putObject("items").put("type", "object");
    schema.putArray("required").add("grpc_code").add("http_code").add("http_status");
    schema.put("additionalProperties", false);
    return schema;
  }

  private static ObjectNode streamResult(HttpRoute route) {
    ObjectNode schema = JSON.objectNode().put("type", "object");
    ObjectNode p = schema.putObject("properties");
    p.putObject("result").put("$ref", MessageSchemas.ref(route.method().getOutputType()));
    p.putObject("error").put("$ref", "#/components/schemas/StreamError");
    schema.put("additionalProperties", false);
    schema.put("minProperties", 1);
    schema.put("maxProperties", 1);
    return schema;
  }
}
