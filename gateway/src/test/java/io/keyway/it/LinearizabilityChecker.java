package io.keyway.it;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Checks a history of {@link RegisterOp}s against etcd's guarantees: per key, the operations are linearizable
 * for a register (Wing–Gong search with Lowe's memoisation of (linearized set, state), as Knossos and Porcupine
 * do; an op of unknown outcome may take effect at any point after its invocation, or never); a key's
 * mod_revision grows with each write along that order and names one write; and revisions respect real time
 * (an answer never carries a revision lower than one already returned to any client before it was asked).
 */
final class LinearizabilityChecker {

  /** Search steps per key before the checker gives up (a non-linearizable history is searched exhaustively). */
  static final long DEFAULT_BUDGET = 20_000_000;

  private final long budget;

  LinearizabilityChecker() {
    this(DEFAULT_BUDGET);
  }

  LinearizabilityChecker(long budget) {
    this.budget = budget;
  }

  /** The violations found, empty when the history is consistent. */
  List<String> check(List<RegisterOp> history) {
    List<String> violations = new ArrayList<>();
    Map<String, Long> revisionOfValue = new HashMap<>();
    checkRevisionsOfValues(history, revisionOfValue, violations);
    checkRealTimeRevisions(history, violations);
    Map<String, List<RegisterOp>> byKey = history.stream()
        .collect(Collectors.groupingBy(RegisterOp::key, TreeMap::new, Collectors.toList()));
    for (Map.Entry<String, List<RegisterOp>> e : byKey.entrySet()) {
      String v = checkKey(e.getKey(), relevant(e.getValue()), revisionOfValue);
      if (v != null) {
        violations.add(v);
      }
    }
    return violations;
  }

  /** Each value's mod_revision, as every answer reports it, is one number, and distinct values differ. */
  private static void checkRevisionsOfValues(List<RegisterOp> history, Map<String, Long> revisionOf,
                                             List<String> violations) {
    Map<String, Map<Long, String>> seen = new HashMap<>();
    for (RegisterOp op : history) {
      if (!op.known()) {
        continue;
      }
      String value = null;
      long rev = 0;
      if ((op.kind() == RegisterOp.Kind.PUT || op.kind() == RegisterOp.Kind.CAS && op.succeeded())
          && op.revision() > 0) {
        value = op.write();
        rev = op.revision(); // the header revision of a write is the revision it created
      } else if (op.read() != null) {
        value = op.read();
        rev = op.readModRevision();
      }
      if (value != null && rev > 0) {
        seen.computeIfAbsent(op.key() + "\u0000" + value, k -> new TreeMap<>()).putIfAbsent(rev, op.toString());
      }
    }
    Map<String, String> ownerOfRevision = new HashMap<>();
    for (Map.Entry<String, Map<Long, String>> e : seen.entrySet()) {
      String value = e.getKey().substring(e.getKey().indexOf('\u0000') + 1);
      String key = e.getKey().substring(0, e.getKey().indexOf('\u0000'));
      if (e.getValue().size() > 1) {
        violations.add("value " + value + " of " + key + " seen with several mod_revisions: " + e.getValue());
      }
      long rev = e.getValue().keySet().iterator().next();
      revisionOf.put(e.getKey(), rev);
      String other = ownerOfRevision.putIfAbsent(key + "@" + rev, value);
      if (other != null) {
        violations.add("values " + other + " and " + value + " of " + key + " share mod_revision " + rev);
      }
    }
  }

  /** An answer's revision is at least that of every answer completed before it was asked. */
  private static void checkRealTimeRevisions(List<RegisterOp> history, List<String> violations) {
    List<RegisterOp> known = history.stream().filter(o -> o.known() && o.revision() > 0).toList();
    List<RegisterOp> byInvoke = known.stream().sorted(Comparator.comparingLong(RegisterOp::invokeNanos)).toList();
    List<RegisterOp> byComplete = known.stream().sorted(Comparator.comparingLong(RegisterOp::completeNanos)).toList();
    int next = 0;
    RegisterOp highest = null;
    int reported = 0;
    for (RegisterOp op : byInvoke) {
      while (next < byComplete.size() && byComplete.get(next).completeNanos() < op.invokeNanos()) {
        RegisterOp done = byComplete.get(next++);
        if (highest == null || done.revision() > highest.revision()) {
          highest = done;
        }
      }
      if (highest != null && op.revision() < highest.revision() && reported++ < 10) {
        violations.add("revision went back in real time: " + op + " answered with revision " + op.revision()
            + " after " + highest + " had completed");
      }
    }
  }

  /**
   * Drops what cannot matter: unknown reads, and unknown writes whose value nobody ever read or compared
   * against (taking effect at the very end is then as good as any other point).
   */
  private static List<RegisterOp> relevant(List<RegisterOp> ops) {
    Set<String> observed = new HashSet<>();
    for (RegisterOp op : ops) {
      if (op.known() && op.read() != null) {
        observed.add(op.read());
      }
      if (op.kind() == RegisterOp.Kind.CAS && op.expect() != null) {
        observed.add(op.expect());
      }
    }
    List<RegisterOp> kept = new ArrayList<>();
    for (RegisterOp op : ops) {
      if (op.known()) {
        kept.add(op);
      } else if (op.kind() == RegisterOp.Kind.DELETE) {
        kept.add(op);
      } else if (op.kind() != RegisterOp.Kind.GET && observed.contains(op.write())) {
        kept.add(op);
      }
    }
    return kept;
  }

  // ---- the search ------------------------------------------------------------------------------------------

  private static final String ABSENT = null;

  /** A node of the doubly linked list of call and return events. */
  private static final class Event {
    final int op;
    final boolean call;
    Event match; // the call's return
    Event prev;
    Event next;

    Event(int op, boolean call) {
      this.op = op;
      this.call = call;
    }
  }

  private record CacheKey(BitSet linearized, String state) {}

  private record Frame(Event call, String stateBefore) {}

  private String checkKey(String key, List<RegisterOp> ops, Map<String, Long> revisionOf) {
    int n = ops.size();
    List<Event> events = new ArrayList<>(2 * n);
    for (int i = 0; i < n; i++) {
      Event call = new Event(i, true);
      Event ret = new Event(i, false);
      call.match = ret;
      events.add(call);
      events.add(ret);
    }
    // by time; at equal times calls first (the more permissive order)
    events.sort(Comparator.<Event>comparingLong(e -> e.call ? ops.get(e.op).invokeNanos() : ops.get(e.op).completeNanos())
        .thenComparing(e -> e.call ? 0 : 1));
    Event head = new Event(-1, true);
    Event prev = head;
    for (Event e : events) {
      prev.next = e;
      e.prev = prev;
      prev = e;
    }

    Set<CacheKey> cache = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    BitSet linearized = new BitSet(n);
    String state = ABSENT;
    Event entry = head.next;
    long steps = 0;
    int deepest = -1;
    List<Integer> deepestOrder = List.of();
    Event deepestStuckAt = null;
    while (head.next != null) {
      if (++steps > budget) {
        return key + ": checker gave up after " + budget + " steps (" + n + " ops)";
      }
      if (entry.call) {
        RegisterOp op = ops.get(entry.op);
        String after = step(state, op, key, revisionOf);
        if (after != FAIL) {
          BitSet next = (BitSet) linearized.clone();
          next.set(entry.op);
          if (cache.add(new CacheKey(next, after))) {
            stack.push(new Frame(entry, state));
            state = after;
            linearized = next;
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        if (stack.size() > deepest) {
          deepest = stack.size();
          deepestOrder = stack.stream().map(f -> f.call.op).toList();
          deepestStuckAt = entry;
        }
        if (stack.isEmpty()) {
          return explain(key, ops, deepestOrder, deepestStuckAt);
        }
        Frame top = stack.pop();
        state = top.stateBefore;
        linearized = (BitSet) linearized.clone();
        linearized.clear(top.call.op);
        unlift(top.call);
        entry = top.call.next;
      }
    }
    return null;
  }

  private static final String FAIL = new String("FAIL");

  /** The register: the state after {@code op}, or {@link #FAIL} when op cannot happen in {@code state}. */
  private static String step(String state, RegisterOp op, String key, Map<String, Long> revisionOf) {
    switch (op.kind()) {
      case PUT:
        return grows(state, op.write(), key, revisionOf) ? op.write() : FAIL;
      case GET:
        return Objects.equals(state, op.read()) ? state : FAIL;
      case DELETE:
        if (op.known() && op.succeeded() != (state != ABSENT)) {
          return FAIL;
        }
        return ABSENT;
      case CAS:
        boolean holds = Objects.equals(state, op.expect());
        if (!op.known()) {
          return holds && grows(state, op.write(), key, revisionOf) ? op.write() : state;
        }
        if (op.succeeded()) {
          return holds && grows(state, op.write(), key, revisionOf) ? op.write() : FAIL;
        }
        return !holds && Objects.equals(state, op.read()) ? state : FAIL;
      default:
        throw new IllegalStateException();
    }
  }

  /** A write after {@code from} must get a higher mod_revision (when both are known). */
  private static boolean grows(String from, String to, String key, Map<String, Long> revisionOf) {
    if (from == ABSENT) {
      return true;
    }
    Long a = revisionOf.get(key + "\u0000" + from);
    Long b = revisionOf.get(key + "\u0000" + to);
    return a == null || b == null || b > a;
  }

  private static void lift(Event call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Event ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void unlift(Event call) {
    Event ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }

  private static String explain(String key, List<RegisterOp> ops, List<Integer> order, Event stuck) {
    StringBuilder b = new StringBuilder(key + " is not linearizable (" + ops.size() + " ops). Longest linearizable"
        + " prefix ends with:\n");
    // the stack lists the newest first
    List<Integer> oldestFirst = new ArrayList<>(order);
    java.util.Collections.reverse(oldestFirst);
    for (int i = Math.max(0, oldestFirst.size() - 8); i < oldestFirst.size(); i++) {
      b.append("    ").append(ops.get(oldestFirst.get(i))).append('\n');
    }
    if (stuck != null) {
      RegisterOp blocked = ops.get(stuck.op);
      b.append("  then no op could go before the completion of: ").append(blocked).append('\n');
      b.append("  ops pending at that point:\n");
      Set<Integer> done = new HashSet<>(order);
      long t = blocked.completeNanos();
      ops.stream().filter(o -> o.invokeNanos() <= t && !done.contains(ops.indexOf(o)))
          .limit(12).forEach(o -> b.append("    ").append(o).append('\n'));
    }
    return b.toString();
  }
}
