package io.keyway.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Linearizability of the availability history, key by key, for a read/write register whose initial state is
 * "absent": Wing and Gong's search over call and return events with Lowe's memo of (ops placed, register
 * state), the way Knossos and Porcupine check histories. A write of unknown outcome (INFO) may take effect at any
 * point after its invocation, or never; a write that certainly failed (FAIL) and reads without an answer cannot
 * have changed anything and are left out. Written values are unique, so a read names the write it saw.
 *
 * <p>(gateway's tests have a richer checker for their CAS workload with revisions; the bench module does not
 * depend on gateway's test classes, and this register needs only puts and reads.)
 */
final class RegisterChecker {
  /** Search steps per key before giving up (a violation is found only after an exhaustive search). */
  static final long DEFAULT_BUDGET = 5_000_000;
  /** Bytes the memo may hold per key before giving up (it keeps a bit set of placed ops per entry). */
  static final long MEMO_BYTES = 512L << 20;

  enum Result { LINEARIZABLE, VIOLATION, UNKNOWN }

  /** The verdict and, for a violation or a search that gave up, what happened. */
  record Verdict(Result result, String detail) {
    String label() {
      return switch (result) {
        case LINEARIZABLE -> "yes";
        case VIOLATION -> "NO";
        case UNKNOWN -> "unknown";
      };
    }
  }

  private RegisterChecker() {}

  static Verdict check(Collection<HistoryOp> history) {
    return check(history, DEFAULT_BUDGET);
  }

  static Verdict check(Collection<HistoryOp> history, long budgetPerKey) {
    Map<String, List<HistoryOp>> byKey = new TreeMap<>();
    for (HistoryOp op : history) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    Verdict unknown = null;
    for (Map.Entry<String, List<HistoryOp>> e : byKey.entrySet()) {
      Verdict v = new KeySearch(e.getKey(), relevant(e.getValue()), budgetPerKey).run();
      if (v.result() == Result.VIOLATION) {
        return v;
      }
      if (v.result() == Result.UNKNOWN && unknown == null) {
        unknown = v;
      }
    }
    return unknown != null ? unknown : new Verdict(Result.LINEARIZABLE, byKey.size() + " keys, " + history.size()
        + " ops");
  }

  /**
   * What the search must place: answered ops, and unknown writes somebody read. An unknown write nobody read can
   * always go after everything else, so leaving it out changes no verdict.
   */
  static List<HistoryOp> relevant(List<HistoryOp> ops) {
    Set<String> read = new HashSet<>();
    for (HistoryOp op : ops) {
      if (op.kind() == HistoryOp.Kind.READ && op.ok() && op.value() != null) {
        read.add(op.value());
      }
    }
    List<HistoryOp> kept = new ArrayList<>();
    for (HistoryOp op : ops) {
      if (op.ok() || op.kind() == HistoryOp.Kind.WRITE && op.outcome() == HistoryOp.Outcome.INFO
          && read.contains(op.value())) {
        kept.add(op);
      }
    }
    return kept;
  }

  /** The search for one key over a doubly linked list of call and return events (node 0 is the head). */
  private static final class KeySearch {
    private static final int END = -1;
    private static final int ABSENT = 0;

    private final String key;
    private final List<HistoryOp> ops;
    private final long budget;
    private final int[] next;
    private final int[] prev;
    /** Per op: the value id it writes, or the value id it read. */
    private final int[] value;
    private final boolean[] write;

    KeySearch(String key, List<HistoryOp> ops, long budget) {
      this.key = key;
      this.ops = ops;
      this.budget = budget;
      int n = ops.size();
      next = new int[2 * n + 1];
      prev = new int[2 * n + 1];
      value = new int[n];
      write = new boolean[n];
      Map<String, Integer> ids = new HashMap<>();
      for (int i = 0; i < n; i++) {
        HistoryOp op = ops.get(i);
        write[i] = op.kind() == HistoryOp.Kind.WRITE;
        value[i] = op.value() == null ? ABSENT : ids.computeIfAbsent(op.value(), v -> ids.size() + 1);
      }
      // events by time; at equal times calls first (the more permissive order)
      List<Integer> events = new ArrayList<>(2 * n);
      for (int i = 0; i < 2 * n; i++) {
        events.add(i + 1);
      }
      events.sort((a, b) -> {
        int c = Long.compare(time(a), time(b));
        return c != 0 ? c : Boolean.compare(!isCall(a), !isCall(b));
      });
      int last = 0;
      for (int node : events) {
        next[last] = node;
        prev[node] = last;
        last = node;
      }
      next[last] = END;
    }

    private static boolean isCall(int node) {
      return (node - 1) % 2 == 0;
    }

    private static int opOf(int node) {
      return (node - 1) / 2;
    }

    private static int callOf(int op) {
      return 1 + 2 * op;
    }

    private long time(int node) {
      HistoryOp op = ops.get(opOf(node));
      if (isCall(node)) {
        return op.invokeNanos();
      }
      return op.ok() ? op.completeNanos() : Long.MAX_VALUE;
    }

    private record Memo(BitSet placed, int state) {}

    private record Frame(int op, int stateBefore) {}

    Verdict run() {
      int n = ops.size();
      long memoLimit = Math.max(1000, MEMO_BYTES / Math.max(8, n / 8 + 16));
      Set<Memo> memo = new HashSet<>();
      Deque<Frame> stack = new ArrayDeque<>();
      BitSet placed = new BitSet(n);
      int state = ABSENT;
      int entry = next[0];
      long steps = 0;
      int deepest = -1;
      int blockedAt = -1;
      List<Integer> deepestOrder = List.of();
      while (next[0] != END) {
        if (++steps > budget || memo.size() > memoLimit) {
          return new Verdict(Result.UNKNOWN, key + ": search gave up after " + steps + " steps (" + n + " ops, "
              + memo.size() + " memo entries)");
        }
        if (isCall(entry)) {
          int op = opOf(entry);
          int after = write[op] ? value[op] : value[op] == state ? state : -1;
          if (after >= 0) {
            placed.set(op);
            if (memo.add(new Memo((BitSet) placed.clone(), after))) {
              stack.push(new Frame(op, state));
              state = after;
              lift(op);
              entry = next[0];
              continue;
            }
            placed.clear(op);
          }
          entry = next[entry];
        } else {
          if (stack.size() > deepest) {
            deepest = stack.size();
            blockedAt = opOf(entry);
            deepestOrder = stack.stream().map(Frame::op).toList();
          }
          if (stack.isEmpty()) {
            return new Verdict(Result.VIOLATION, explain(deepestOrder, blockedAt));
          }
          Frame top = stack.pop();
          state = top.stateBefore();
          placed.clear(top.op());
          unlift(top.op());
          entry = next[callOf(top.op())];
        }
      }
      return new Verdict(Result.LINEARIZABLE, key + ": " + n + " ops");
    }

    private void remove(int node) {
      next[prev[node]] = next[node];
      if (next[node] != END) {
        prev[next[node]] = prev[node];
      }
    }

    private void reinsert(int node) {
      next[prev[node]] = node;
      if (next[node] != END) {
        prev[next[node]] = node;
      }
    }

    private void lift(int op) {
      remove(callOf(op));
      remove(callOf(op) + 1);
    }

    private void unlift(int op) {
      reinsert(callOf(op) + 1);
      reinsert(callOf(op));
    }

    private String explain(List<Integer> newestFirst, int blocked) {
      StringBuilder b = new StringBuilder(key + " is not linearizable (" + ops.size() + " ops); the longest"
          + " linearizable prefix ends with");
      List<Integer> order = new ArrayList<>(newestFirst);
      java.util.Collections.reverse(order);
      for (int i = Math.max(0, order.size() - 5); i < order.size(); i++) {
        b.append(" | ").append(ops.get(order.get(i)));
      }
      if (blocked >= 0) {
        b.append(" | and then nothing can precede the answer of ").append(ops.get(blocked));
      }
      return b.toString();
    }
  }

  /**
   * Acknowledged writes the final state does not account for: with every member back, the final read of a key
   * must return the last acknowledged write or something written after it. A write acknowledged is lost when the
   * final value is absent, or when the write was sent after the (acknowledged) write of the final value had
   * completed (values are unique: nothing could have written the final value again).
   */
  static List<String> lostWrites(Collection<HistoryOp> history, Map<String, String> finalValues) {
    Map<String, List<HistoryOp>> writes = new TreeMap<>();
    for (HistoryOp op : history) {
      if (op.kind() == HistoryOp.Kind.WRITE && op.client() >= 0) {
        writes.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, List<HistoryOp>> e : writes.entrySet()) {
      List<HistoryOp> acked = e.getValue().stream().filter(HistoryOp::ok).toList();
      if (acked.isEmpty()) {
        continue;
      }
      if (!finalValues.containsKey(e.getKey())) {
        lost.add(e.getKey() + ": no final read");
        continue;
      }
      String last = finalValues.get(e.getKey());
      HistoryOp writer = last == null ? null
          : e.getValue().stream().filter(w -> Objects.equals(w.value(), last)).findFirst().orElse(null);
      if (last == null) {
        acked.forEach(w -> lost.add(w + " (the key is absent at the end)"));
      } else if (writer == null) {
        lost.add(e.getKey() + ": the final value " + last + " was never written");
      } else if (writer.ok()) {
        acked.stream().filter(w -> w.invokeNanos() > writer.completeNanos())
            .forEach(w -> lost.add(w + " (the final value is " + writer + ")"));
      }
    }
    return lost;
  }
}
