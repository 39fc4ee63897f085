package io.keyway.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON schemas of protobuf messages as etcd's gateway writes them (grpc-gateway v1's jsonpb with
 * {@code OrigName}): proto field names, 64-bit integers as decimal strings, bytes as padded base64, enums by
 * name, zero values omitted. Schemas are closed ({@code additionalProperties: false}) so a field the server
 * should not emit fails validation.
 */
final class MessageSchemas {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

  private final Map<String, ObjectNode> schemas = new TreeMap<>();
  private final Deque<Descriptor> pending = new ArrayDeque<>();

  /** The component name of a message: its full proto name without dots, as grpc-gateway's swagger names it. */
  static String name(Descriptor message) {
    return message.getFullName().replace(".", "");
  }

  static String ref(Descriptor message) {
    return "#/components/schemas/" + name(message);
  }

  /** Adds the message and everything it refers to; returns its $ref. */
  String add(Descriptor message) {
    pending.add(message);
    while (!pending.isEmpty()) {
      Descriptor next = pending.poll();
      if (!schemas.containsKey(name(next))) {
        schemas.put(name(next), schemaOf(next));
      }
    }
    return ref(message);
  }

  Map<String, ObjectNode> all() {
    return schemas;
  }

  private ObjectNode schemaOf(Descriptor message) {
    ObjectNode schema = JSON.objectNode().put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    for (FieldDescriptor field : message.getFields()) {
      ObjectNode value = field.isRepeated() ? arrayOf(scalar(field)) : scalar(field);
      if (field.getRealContainingOneof() != null) {
        value = withDescription(value, "one of `" + field.getRealContainingOneof().getName() + "`: at most one "
            + "of its fields is set");
      }
      properties.set(field.getName(), value);
    }
    schema.put("additionalProperties", false);
    return schema;
  }

  private static ObjectNode withDescription(ObjectNode node, String description) {
    if (node.has("$ref")) {
      // OpenAPI 3.0 ignores siblings of $ref: wrap it
      ObjectNode wrapped = JSON.objectNode();
      wrapped.putArray("allOf").add(node);
      wrapped.put("description", description);
      return wrapped;
    }
    return node.put("description", description);
  }

  private static ObjectNode arrayOf(ObjectNode items) {
    ObjectNode array = JSON.objectNode().put("type", "array");
    array.set("items", items);
    return array;
  }

  private ObjectNode scalar(FieldDescriptor field) {
    return switch (field.getType()) {
      case INT64, SINT64, SFIXED64 -> JSON.objectNode().put("type", "string").put("format", "int64")
          .put("pattern", "^-?[0-9]+$");
      case UINT64, FIXED64 -> JSON.objectNode().put("type", "string").put("format", "uint64")
          .put("pattern", "^[0-9]+$");
      case INT32, SINT32, SFIXED32 -> JSON.objectNode().put("type", "integer").put("format", "int32");
      case UINT32, FIXED32 -> JSON.objectNode().put("type", "integer").put("format", "int64").put("minimum", 0)
          .put("maximum", 4294967295L);
      case BOOL -> JSON.objectNode().put("type", "boolean");
      case STRING -> JSON.objectNode().put("type", "string");
      case BYTES -> JSON.objectNode().put("type", "string").put("format", "byte").put("pattern", BASE64);
      case DOUBLE, FLOAT -> JSON.objectNode().put("type", "number");
      case ENUM -> {
        ObjectNode e = JSON.objectNode().put("type", "string");
        ArrayNode names = e.putArray("enum");
        for (EnumValueDescriptor v : field.getEnumType().getValues()) {
          names.add(v.getName());
        }
        yield e;
      }
      case MESSAGE, GROUP -> {
        pending.add(field.getMessageType());
        yield JSON.objectNode().put("$ref", ref(field.getMessageType()));
      }
    };
  }
}
