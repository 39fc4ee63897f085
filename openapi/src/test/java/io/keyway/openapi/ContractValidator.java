package io.keyway.openapi;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Validates JSON bodies against the committed contract's component schemas. */
final class ContractValidator {
  private final JsonObject contract;
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();

  ContractValidator(Path file) throws IOException {
    this.contract = new JsonObject(Files.readString(file));
  }

  JsonObject contract() {
    return contract;
  }

  /** The $ref of what a route answers with a status (200 → its response, anything else → Error). */
  String responseRef(String path, String method, int status) {
    JsonObject responses = contract.getJsonObject("paths").getJsonObject(path).getJsonObject(method)
        .getJsonObject("responses");
    JsonObject response = responses.getJsonObject(Integer.toString(status), responses.getJsonObject("default"));
    JsonObject schema = response.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
    return schema.getString("$ref");
  }

  /** Null when the body conforms to the schema; the validator's complaint otherwise. */
  String violations(String ref, String body) {
    JsonObject instance;
    try {
      instance = new JsonObject(body);
    } catch (RuntimeException e) {
      return "not a JSON object: " + body;
    }
    Validator v = validators.computeIfAbsent(ref, r -> Validator.create(
        JsonSchema.of(new JsonObject().put("$ref", r).put("components", contract.getJsonObject("components"))),
        new JsonSchemaOptions().setDraft(Draft.DRAFT7).setBaseUri("https://keyway.invalid/openapi")
            .setOutputFormat(OutputFormat.Basic)));
    OutputUnit out = v.validate(instance);
    return out.getValid() ? null : ref + ": " + out.getErrors() + " in " + body;
  }
}
