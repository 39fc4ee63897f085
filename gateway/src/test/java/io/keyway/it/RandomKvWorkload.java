package io.keyway.it;

import static io.keyway.it.KvOps.compare;
import static io.keyway.it.KvOps.put;
import static io.keyway.it.KvOps.putOp;
import static io.keyway.it.KvOps.range;
import static io.keyway.it.KvOps.txn;
import static io.keyway.it.KvOps.txnOp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random KV requests over a small key and value alphabet, so puts, deletes, compares and duplicate-key
 * rules collide often. Revisions are drawn around the store's current and compacted revisions, which the caller
 * feeds back from the oracle.
 *
 * <p>The alphabet has 8 keys: etcd sorts with Go's sort.Sort, which is only stable (ties keep key order, for
 * DESCEND too) below 13 elements, so larger ranges with ties in VERSION/VALUE/... would have no single right order.
 */
final class RandomKvWorkload {

  // "\u00ff" is UTF-8 C3 BF: a key with high-bit bytes, so byte order must be unsigned
  private static final List<String> KEYS = List.of("a", "a/1", "a/2", "b", "b/1", "c", "e", "\u00ff");
  private static final List<String> VALUES = List.of("", "x", "y", "xy", "z");
  private static final List<String> TARGETS = List.of("VERSION", "CREATE", "MOD", "VALUE", "LEASE");
  private static final List<String> RESULTS = List.of("EQUAL", "GREATER", "LESS", "NOT_EQUAL");
  private static final List<String> ORDERS = List.of("NONE", "ASCEND", "DESCEND");
  private static final List<String> SORT_TARGETS = List.of("KEY", "VERSION", "CREATE", "MOD", "VALUE");

  private final Random random;
  private final List<Long> leases;
  private long currentRevision = 1;
  private long compactedRevision = 0;
  private int serial;

  RandomKvWorkload(long seed) {
    this(seed, List.of());
  }

  /**
   * @param leases ids of leases the caller granted with the same id on every server (read live, so the caller
   *     may revoke and re-grant): some puts attach them. Empty: the sequence is the one of {@link
   *     #RandomKvWorkload(long)}, whose leased puts name leases that do not exist.
   */
  RandomKvWorkload(long seed, List<Long> leases) {
    this.random = new Random(seed);
    this.leases = leases;
  }

  /** What the oracle answered to the previous step. */
  void observe(long revisionAfterStep, KvStep step, int status) {
    currentRevision = Math.max(currentRevision, revisionAfterStep);
    if (step.route().endsWith("/compaction") && status == 200) {
      compactedRevision = Json.parse(step.body()).path("revision").asLong();
    }
  }

  KvStep next() {
    serial++;
    int dice = random.nextInt(100);
    if (dice < 30) {
      return step("put", "/v3/kv/put", randomPut());
    }
    if (dice < 58) {
      return step("range", "/v3/kv/range", randomRange());
    }
    if (dice < 68) {
      ObjectNode delete = randomKeySpan();
      if (random.nextBoolean()) {
        delete.put("prev_kv", true);
      }
      return step("delete", "/v3/kv/deleterange", delete);
    }
    if (dice < 97) {
      return step("txn", "/v3/kv/txn", randomTxn(0));
    }
    ObjectNode compaction = Json.obj("revision", String.valueOf(revisionAround()));
    if (random.nextBoolean()) {
      compaction.put("physical", true);
    }
    return step("compaction", "/v3/kv/compaction", compaction);
  }

  private KvStep step(String kind, String route, JsonNode body) {
    return KvStep.of("random #" + serial + " " + kind, route, body);
  }

  private ObjectNode randomPut() {
    String key = pick(KEYS);
    int flavour = random.nextInt(20);
    if (flavour == 0) {
      return put(key, "", "ignore_value", true, "prev_kv", random.nextBoolean());
    }
    if (flavour == 1) {
      return put(key, pick(VALUES), "ignore_lease", true);
    }
    if (flavour == 2) {
      return put(key, pick(VALUES), "lease", String.valueOf(1 + random.nextInt(1000)));
    }
    if (flavour < 7 && !leases.isEmpty()) {
      return put(key, pick(VALUES), "lease", String.valueOf(pick(leases)), "prev_kv", random.nextBoolean());
    }
    return put(key, pick(VALUES), "prev_kv", random.nextInt(3) == 0);
  }

  private ObjectNode randomKeySpan() {
    String key = pick(KEYS);
    return switch (random.nextInt(5)) {
      case 0, 1 -> range(key, null);
      case 2 -> range(key, Json.prefixEnd(key));
      case 3 -> range(key, "\0");
      default -> range(key, pick(KEYS));
    };
  }

  private ObjectNode randomRange() {
    ObjectNode range = randomKeySpan();
    if (random.nextInt(4) == 0) {
      range.put("limit", random.nextInt(5) - 1);
    }
    if (random.nextInt(4) == 0) {
      range.put("revision", String.valueOf(revisionAround()));
    }
    if (random.nextInt(3) == 0) {
      range.put("sort_order", pick(ORDERS));
      range.put("sort_target", pick(SORT_TARGETS));
    } else if (random.nextInt(30) == 0) {
      // an out-of-range order acts as NONE (an out-of-range target crashes etcd 3.4/3.5, so it is not sent)
      range.put("sort_order", 3 + random.nextInt(5));
      range.put("sort_target", random.nextInt(5));
    }
    if (random.nextInt(6) == 0) {
      range.put("keys_only", true);
    }
    if (random.nextInt(8) == 0) {
      range.put("count_only", true);
    }
    if (random.nextInt(8) == 0) {
      range.put("serializable", true);
    }
    for (String filter : List.of("min_mod_revision", "max_mod_revision", "min_create_revision",
        "max_create_revision")) {
      if (random.nextInt(10) == 0) {
        range.put(filter, String.valueOf(random.nextLong(currentRevision + 3) - 2));
      }
    }
    return range;
  }

  private ObjectNode randomTxn(int depth) {
    List<JsonNode> compares = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      String target = pick(TARGETS);
      String value = switch (target) {
        case "VALUE" -> pick(VALUES);
        case "VERSION" -> String.valueOf(random.nextInt(4));
        case "LEASE" -> "0";
        default -> String.valueOf(random.nextLong(currentRevision + 2));
      };
      String key = pick(KEYS);
      String rangeEnd = switch (random.nextInt(8)) {
        case 0 -> Json.prefixEnd(key);
        case 1 -> "\0";
        default -> null;
      };
      ObjectNode compare = compare(key, target, pick(RESULTS), value, rangeEnd);
      switch (random.nextInt(25)) {
        case 0 -> compare.put("result", 4 + random.nextInt(3)); // no such CompareResult: etcd treats it as true
        case 1 -> compare.put("target", 5 + random.nextInt(3)); // no such CompareTarget
        case 2 -> compare.put("target", pick(TARGETS)); // target_union of another target
        default -> { }
      }
      compares.add(compare);
    }
    return txn(compares, randomOps(depth), randomOps(depth));
  }

  private List<JsonNode> randomOps(int depth) {
    List<JsonNode> ops = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      int dice = random.nextInt(10);
      if (dice < 4) {
        ObjectNode put = putOp(pick(KEYS), pick(VALUES), "prev_kv", random.nextBoolean());
        if (!leases.isEmpty() && random.nextInt(3) == 0) {
          ((ObjectNode) put.get("request_put")).put("lease", String.valueOf(pick(leases)));
        }
        ops.add(put);
      } else if (dice < 7) {
        ops.add(Json.obj("request_range", randomRange()));
      } else if (dice < 9 || depth >= 3) {
        ObjectNode span = randomKeySpan();
        if (random.nextBoolean()) {
          span.put("prev_kv", true);
        }
        ops.add(Json.obj("request_delete_range", span));
      } else {
        ops.add(txnOp(randomTxn(depth + 1)));
      }
    }
    return ops;
  }

  /** A revision near the interesting edges: compacted, current, one past current. */
  private long revisionAround() {
    long low = Math.max(-1, compactedRevision - 2);
    long high = currentRevision + 2;
    return low + random.nextLong(high - low);
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
