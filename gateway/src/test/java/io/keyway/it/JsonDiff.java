package io.keyway.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.TreeSet;

/** Finds the first place two JSON documents differ, as a JSON-pointer-like path, for readable failures. */
final class JsonDiff {

  private JsonDiff() {}

  /** Null when equal; otherwise "path: expected X but was Y". */
  static String firstDifference(JsonNode expected, JsonNode actual) {
    return diff("", expected, actual);
  }

  private static String diff(String path, JsonNode expected, JsonNode actual) {
    if (expected.equals(actual)) {
      return null;
    }
    if (expected.isObject() && actual.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode e = expected.get(name);
        JsonNode a = actual.get(name);
        if (e == null || a == null) {
          return path + "/" + name + ": etcd has " + e + " but keyway has " + a;
        }
        String inner = diff(path + "/" + name, e, a);
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    if (expected.isArray() && actual.isArray()) {
      Iterator<JsonNode> e = expected.elements();
      Iterator<JsonNode> a = actual.elements();
      for (int i = 0; e.hasNext() && a.hasNext(); i++) {
        String inner = diff(path + "/" + i, e.next(), a.next());
        if (inner != null) {
          return inner;
        }
      }
      return path + ": etcd has " + expected.size() + " elements but keyway has " + actual.size();
    }
    return (path.isEmpty() ? "/" : path) + ": etcd has " + expected + " but keyway has " + actual;
  }
}
