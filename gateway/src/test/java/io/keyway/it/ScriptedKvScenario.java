package io.keyway.it;

import static io.keyway.it.KvOps.compare;
import static io.keyway.it.KvOps.delete;
import static io.keyway.it.KvOps.deleteOp;
import static io.keyway.it.KvOps.put;
import static io.keyway.it.KvOps.putOp;
import static io.keyway.it.KvOps.range;
import static io.keyway.it.KvOps.rangeOp;
import static io.keyway.it.KvOps.txn;
import static io.keyway.it.KvOps.txnOp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A fixed walk through the KV API: every range option, put/delete flavour, txn compare target and result,
 * nesting, compaction and the KV errors. Revisions are written relative to the previous step ({{rev}}).
 */
final class ScriptedKvScenario {

  private static final String PUT = "/v3/kv/put";
  private static final String RANGE = "/v3/kv/range";
  private static final String DELETE = "/v3/kv/deleterange";
  private static final String TXN = "/v3/kv/txn";
  private static final String COMPACT = "/v3/kv/compaction";
  private static final String ALL = "\0";

  private final List<KvStep> steps = new ArrayList<>();

  static List<KvStep> steps() {
    ScriptedKvScenario s = new ScriptedKvScenario();
    s.puts();
    s.ranges();
    s.deletes();
    s.txns();
    s.compactions();
    s.errors();
    return List.copyOf(s.steps);
  }

  private void puts() {
    add("put new key", PUT, put("k1", "v1"));
    add("put second key", PUT, put("k2", "v2"));
    add("overwrite with prev_kv", PUT, put("k1", "v1b", "prev_kv", true));
    add("prev_kv on a new key", PUT, put("k3", "v3", "prev_kv", true));
    add("empty value", PUT, put("k4", ""));
    add("ignore_value keeps the value", PUT, put("k4", "", "ignore_value", true, "prev_kv", true));
    add("ignore_lease keeps the lease", PUT, put("k2", "v2b", "ignore_lease", true));
    add("binary key and value", PUT, Json.obj("key", "AP8Bfw==", "value", "AAEC/w=="));
    add("key 0xff sorts after ASCII (unsigned bytes)", PUT, Json.obj("key", "/w==", "value", "gA=="));
    add("keys under a prefix", PUT, put("p/a", "3"));
    add("keys under a prefix", PUT, put("p/b", "1"));
    add("keys under a prefix", PUT, put("p/c", "2"));
    add("keys under a prefix", PUT, put("p/d", "1"));
    add("keys under a prefix", PUT, put("p/b", "4"));
    add("keys under a prefix", PUT, put("pz", "x"));
    add("camelCase prevKv", PUT, Json.obj("key", Json.b64("p/a"), "value", Json.b64("3"), "prevKv", true));
    add("v3beta put", "/v3beta/kv/put", put("beta", "b"));
  }

  private void ranges() {
    add("single key", RANGE, range("k1", null));
    add("missing key", RANGE, range("nope", null));
    add("prefix", RANGE, range("p/", "p0"));
    add("from key", RANGE, range("p/c", ALL));
    add("all keys", RANGE, range(ALL, ALL));
    add("key >= range_end", RANGE, range("p/d", "p/a"));
    add("limit", RANGE, range("p/", "p0", "limit", 2));
    add("limit as string", RANGE, range("p/", "p0", "limit", "3"));
    add("limit equal to count", RANGE, range("p/", "p0", "limit", 4));
    add("negative limit", RANGE, range("p/", "p0", "limit", -1));
    add("count_only", RANGE, range("p/", "p0", "count_only", true));
    add("count_only with limit", RANGE, range("p/", "p0", "count_only", true, "limit", 1));
    add("keys_only", RANGE, range("p/", "p0", "keys_only", true));
    add("keys_only and count_only", RANGE, range("p/", "p0", "keys_only", true, "count_only", true));
    add("serializable", RANGE, range("p/", "p0", "serializable", true));
    for (String target : List.of("KEY", "VERSION", "CREATE", "MOD", "VALUE")) {
      for (String order : List.of("NONE", "ASCEND", "DESCEND")) {
        add("sort " + target + " " + order, RANGE, range("p/", "p0", "sort_target", target, "sort_order", order));
        add("sort " + target + " " + order + " limit 2", RANGE,
            range("p/", "p0", "sort_target", target, "sort_order", order, "limit", 2));
      }
    }
    add("sort by number", RANGE, range("p/", "p0", "sort_target", 4, "sort_order", 2));
    add("min_mod_revision", RANGE, range(ALL, ALL, "min_mod_revision", "{{rev-3}}"));
    add("max_mod_revision", RANGE, range(ALL, ALL, "max_mod_revision", "{{rev-10}}"));
    add("min_create_revision", RANGE, range(ALL, ALL, "min_create_revision", "{{rev-5}}"));
    add("max_create_revision", RANGE, range(ALL, ALL, "max_create_revision", "4"));
    add("mod window with limit", RANGE,
        range(ALL, ALL, "min_mod_revision", "3", "max_mod_revision", "{{rev-2}}", "limit", 2));
    add("filters with count_only", RANGE, range(ALL, ALL, "min_create_revision", "8", "count_only", true));
    add("filters with sort", RANGE,
        range(ALL, ALL, "min_mod_revision", "5", "sort_target", "VALUE", "sort_order", "DESCEND", "limit", 3));
    add("old revision", RANGE, range(ALL, ALL, "revision", "3"));
    add("old revision of one key", RANGE, range("k1", null, "revision", "1"));
    add("old revision of one key", RANGE, range("k1", null, "revision", "2"));
    add("revision -1 means latest", RANGE, range("k1", null, "revision", "-1"));
    add("current revision", RANGE, range(ALL, ALL, "revision", "{{rev}}", "keys_only", true));
    add("future revision", RANGE, range("k1", null, "revision", "{{rev+1}}"));
    add("limit above count", RANGE, range("p/", "p0", "limit", 100));
    add("largest int64 limit", RANGE, range("p/", "p0", "limit", "9223372036854775807"));
    add("largest int64 limit with sort", RANGE, range("p/", "p0", "limit", "9223372036854775807",
        "sort_order", "DESCEND"));
    add("largest int64 filters", RANGE, range(ALL, ALL, "min_mod_revision", "9223372036854775807"));
    add("most negative filters", RANGE, range(ALL, ALL, "max_create_revision", "-9223372036854775808",
        "keys_only", true));
    add("largest int64 revision", RANGE, range("k1", null, "revision", "9223372036854775807"));
    add("revision as a JSON number", RANGE, range("k1", null, "revision", 2));
    add("empty key with range_end", RANGE, Json.obj("key", "", "range_end", "AA=="));
    add("camelCase options", RANGE, Json.obj("key", Json.b64("p/"), "rangeEnd", Json.b64("p0"), "keysOnly", true,
        "sortOrder", "DESCEND", "sortTarget", "MOD", "minModRevision", "2", "unknownField", 7));
    add("v3beta range", "/v3beta/kv/range", range("beta", null));
  }

  private void deletes() {
    add("delete missing key keeps the revision", DELETE, delete("nope", null));
    add("delete single", DELETE, delete("k3", null));
    add("delete with prev_kv", DELETE, delete("k4", null, "prev_kv", true));
    add("recreate starts at version 1", PUT, put("k3", "again"));
    add("recreated key", RANGE, range("k3", null));
    add("history survives delete", RANGE, range("k3", null, "revision", "{{rev-3}}"));
    add("setup range delete", PUT, put("d/a", "1"));
    add("setup range delete", PUT, put("d/b", "2"));
    add("setup range delete", PUT, put("d/c", "3"));
    add("delete range with prev_kv", DELETE, delete("d/a", "d/c", "prev_kv", true));
    add("delete the rest of a prefix", DELETE, delete("d/", "d0"));
    add("range after deletes", RANGE, range(ALL, ALL, "keys_only", true));
  }

  private void txns() {
    for (String target : List.of("VERSION", "CREATE", "MOD", "VALUE", "LEASE")) {
      for (String result : List.of("EQUAL", "GREATER", "LESS", "NOT_EQUAL")) {
        String value = switch (target) {
          case "VERSION" -> "2";
          case "CREATE", "MOD" -> "3";
          case "VALUE" -> "v1b";
          default -> "0";
        };
        add("compare " + target + " " + result, TXN, txn(
            List.of(compare("k1", target, result, value, null)),
            List.of(rangeOp("k1", null)), List.of(rangeOp("k2", null, "keys_only", true))));
        add("compare " + target + " " + result + " on missing key", TXN, txn(
            List.of(compare("missing", target, result, value, null)),
            List.of(rangeOp("k1", null, "count_only", true)), List.of()));
        add("compare " + target + " " + result + " over a range", TXN, txn(
            List.of(compare("p/", target, result, target.equals("VALUE") ? "2" : value, "p0")),
            List.of(rangeOp("p/", "p0", "keys_only", true)), List.of(rangeOp("pz", null))));
      }
    }
    add("several compares must all hold", TXN, txn(
        List.of(compare("k1", "VERSION", "EQUAL", "2", null), compare("k2", "VALUE", "EQUAL", "v2b", null)),
        List.of(putOp("t/a", "1")), List.of(putOp("t/a", "0"))));
    add("one failing compare", TXN, txn(
        List.of(compare("k1", "VERSION", "EQUAL", "2", null), compare("k2", "VALUE", "EQUAL", "nope", null)),
        List.of(putOp("t/a", "2")), List.of(putOp("t/b", "0"), rangeOp("t/", "t0"))));
    add("compare over every key from k", TXN, txn(
        List.of(compare("k", "CREATE", "GREATER", "0", ALL)), List.of(rangeOp("k", ALL, "count_only", true)),
        List.of(rangeOp("k", ALL, "keys_only", true, "limit", 1))));
    add("compare with the largest int64", TXN, txn(
        List.of(compare("k1", "MOD", "LESS", "9223372036854775807", null)), List.of(rangeOp("k1", null)), List.of()));
    add("compare with a templated revision", TXN, txn(
        List.of(compare("t/b", "MOD", "EQUAL", "{{rev}}", null)), List.of(deleteOp("t/b", null, "prev_kv", true)),
        List.of()));
    add("empty txn", TXN, Json.obj());
    add("failure without ops", TXN, txn(List.of(compare("k1", "VALUE", "EQUAL", "x", null)), List.of(), List.of()));
    add("many ops in one revision", TXN, txn(List.of(), List.of(
        putOp("t/1", "a"), putOp("t/2", "b", "prev_kv", true), rangeOp("t/", "t0"),
        deleteOp("t/a", null, "prev_kv", true), rangeOp("t/", "t0", "count_only", true),
        putOp("t/3", "", "prev_kv", true)), List.of()));
    add("nested txn", TXN, txn(List.of(compare("t/1", "VALUE", "EQUAL", "a", null)),
        List.of(putOp("n/a", "1"), txnOp(txn(List.of(compare("n/a", "VERSION", "GREATER", "0", null)),
            List.of(rangeOp("n/", "n0"), putOp("n/b", "2")), List.of(putOp("n/c", "3"))))),
        List.of()));
    add("nested txn taking its failure branch", TXN, txn(List.of(),
        List.of(txnOp(txn(List.of(compare("n/zz", "CREATE", "GREATER", "0", null)),
            List.of(putOp("n/d", "x")), List.of(putOp("n/d", "y"), rangeOp("n/", "n0", "keys_only", true))))),
        List.of()));
    add("two levels deep", TXN, txn(List.of(), List.of(txnOp(txn(List.of(),
        List.of(txnOp(txn(List.of(), List.of(putOp("n/deep", "1"), rangeOp("n/deep", null)), List.of()))),
        List.of()))), List.of()));
    add("nested range at an old revision", TXN, txn(List.of(),
        List.of(rangeOp("k1", null, "revision", "2")), List.of()));
    add("deleting a range twice", TXN, txn(List.of(), List.of(deleteOp("n/", "n0"), deleteOp("n/", "n0")),
        List.of()));
    add("same key in then and else of one nested txn", TXN, txn(List.of(), List.of(txnOp(txn(
        List.of(compare("k1", "VERSION", "EQUAL", "2", null)), List.of(putOp("n/e", "1")),
        List.of(putOp("n/e", "2"))))), List.of()));
    add("same key in top-level success and failure", TXN, txn(List.of(compare("k1", "VERSION", "EQUAL", "9", null)),
        List.of(putOp("n/f", "1")), List.of(putOp("n/f", "2"))));
  }

  private void compactions() {
    add("setup history", PUT, put("c/k", "1"));
    add("setup history", PUT, put("c/k", "2"));
    add("setup history", PUT, put("c/k", "3"));
    add("compaction in the future", COMPACT, Json.obj("revision", "{{rev+1}}"));
    add("compaction", COMPACT, Json.obj("revision", "{{rev-1}}"));
    add("range below the compaction", RANGE, range("c/k", null, "revision", "{{rev-2}}"));
    add("range at the compaction", RANGE, range("c/k", null, "revision", "{{rev-1}}"));
    add("compaction again at the same revision", COMPACT, Json.obj("revision", "{{rev-1}}"));
    add("compaction below", COMPACT, Json.obj("revision", "3"));
    add("txn range below the compaction", TXN, txn(List.of(), List.of(rangeOp("c/k", null, "revision", "2")),
        List.of()));
    add("physical compaction at the current revision", COMPACT, Json.obj("revision", "{{rev}}", "physical", true));
    add("everything still readable at the head", RANGE, range(ALL, ALL));
    add("v3beta compaction", "/v3beta/kv/compaction", Json.obj("revision", "{{rev}}"));
    add("compaction at 0", COMPACT, Json.obj("revision", "0"));
    add("compaction at -1", COMPACT, Json.obj("revision", "-1"));
    add("compaction at the largest int64", COMPACT, Json.obj("revision", "9223372036854775807"));
  }

  private void errors() {
    add("range {}", RANGE, Json.obj());
    add("put {}", PUT, Json.obj());
    add("delete {}", DELETE, Json.obj());
    add("empty body", RANGE, "");
    add("null body", PUT, "null");
    add("value provided", PUT, put("k1", "x", "ignore_value", true));
    add("lease provided", PUT, put("k1", "x", "ignore_lease", true, "lease", "5"));
    add("ignore_value on a missing key", PUT, put("nope", "", "ignore_value", true));
    add("ignore_lease on a missing key", PUT, put("nope", "x", "ignore_lease", true));
    add("empty txn op", TXN, "{\"success\":[{}]}");
    add("compare without key", TXN, "{\"compare\":[{\"target\":\"VALUE\",\"value\":\"eA==\"}]}");
    add("unknown lease", PUT, put("k1", "x", "lease", "424242"));
    add("unknown lease in txn", TXN, txn(List.of(), List.of(putOp("k1", "x", "lease", "77")), List.of()));
    List<JsonNode> many = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      many.add(rangeOp("m" + i, null));
    }
    add("129 ops", TXN, txn(List.of(), many, List.of()));
    add("128 ops", TXN, txn(List.of(), many.subList(0, 128), List.of()));
    add("duplicate put", TXN, txn(List.of(), List.of(putOp("x", "1"), putOp("x", "2")), List.of()));
    add("put inside deleted range", TXN, txn(List.of(), List.of(deleteOp("a", "z"), putOp("k1", "2")), List.of()));
    add("duplicate across nesting", TXN, txn(List.of(), List.of(putOp("x", "1"),
        txnOp(txn(List.of(), List.of(putOp("x", "2")), List.of()))), List.of()));
    add("duplicate in sibling nested txns", TXN, txn(List.of(), List.of(
        txnOp(txn(List.of(), List.of(putOp("x", "1")), List.of())),
        txnOp(txn(List.of(), List.of(), List.of(putOp("x", "2"))))), List.of()));
    add("request too large", PUT, "{\"key\":\"Ymln\",\"value\":\""
        + Base64.getEncoder().encodeToString(new byte[1572864]) + "\"}");
    add("unknown route", "/v3/kv/nope", "{}");
    add("outside /v3", "/v4/kv/range", "{}");
    malformed("truncated JSON", RANGE, "{\"key\":");
    malformed("not JSON", PUT, "garbage");
    malformed("array", TXN, "[]");
    malformed("bad base64", RANGE, "{\"key\":\"!!!\"}");
    malformed("unpadded base64", PUT, "{\"key\":\"Zm9vYg\"}");
    malformed("url-safe base64", PUT, "{\"key\":\"_-8=\"}");
    malformed("fraction in int64", RANGE, "{\"key\":\"eA==\",\"limit\":1.5}");
    malformed("bool as string", RANGE, "{\"key\":\"eA==\",\"keys_only\":\"true\"}");
    malformed("unknown enum", RANGE, "{\"key\":\"eA==\",\"sort_order\":\"BOGUS\"}");
    malformed("string for int64", COMPACT, "{\"revision\":\"abc\"}");
    add("128 compares and 128 ops", TXN, txn(many.subList(0, 128).stream()
        .map(op -> compare(Json.unb64(op.path("request_range").path("key").asText()), "VERSION", "EQUAL", "0", null))
        .toList(), many.subList(0, 128), many.subList(0, 1)));
    add("trailing data is ignored", RANGE, "{\"key\":\"" + Json.b64("k1") + "\"} trailing");
    add("final state", RANGE, range(ALL, ALL));
    add("delete everything", DELETE, delete(ALL, ALL, "prev_kv", true));
    add("nothing left", RANGE, range(ALL, ALL, "count_only", true));
    add("history still readable", RANGE, range(ALL, ALL, "revision", "{{rev-1}}", "keys_only", true));
  }

  private void add(String label, String route, Object body) {
    steps.add(KvStep.of(label, route, body));
  }

  private void malformed(String label, String route, String body) {
    steps.add(KvStep.malformed(label, route, body));
  }
}
