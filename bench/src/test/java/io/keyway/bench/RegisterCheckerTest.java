package io.keyway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.bench.HistoryOp.Outcome;
import io.keyway.bench.RegisterChecker.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegisterCheckerTest {
  private static final long NEVER = Long.MAX_VALUE;

  static HistoryOp w(int client, String value, long invoke, long complete) {
    return HistoryOp.write(client, "k", value, invoke, complete, Outcome.OK, "m1");
  }

  static HistoryOp wInfo(int client, String value, long invoke) {
    return HistoryOp.write(client, "k", value, invoke, invoke + 1000, Outcome.INFO, "m1");
  }

  static HistoryOp wFail(int client, String value, long invoke) {
    return HistoryOp.write(client, "k", value, invoke, invoke + 1, Outcome.FAIL, "m1");
  }

  static HistoryOp r(int client, String value, long invoke, long complete) {
    return HistoryOp.read(client, "k", value, invoke, complete, Outcome.OK, "m2");
  }

  static Result verdict(HistoryOp... ops) {
    return RegisterChecker.check(List.of(ops)).result();
  }

  @Test
  void sequentialHistoryIsLinearizable() {
    assertEquals(Result.LINEARIZABLE, verdict(r(0, null, 0, 1), w(0, "a", 2, 3), r(1, "a", 4, 5),
        w(1, "b", 6, 7), r(0, "b", 8, 9)));
  }

  @Test
  void aStaleReadAfterANewerWriteCompletedIsAViolation() {
    RegisterChecker.Verdict v = RegisterChecker.check(List.of(w(0, "a", 0, 1), w(0, "b", 2, 3),
        r(1, "a", 4, 5)));
    assertEquals(Result.VIOLATION, v.result());
    assertTrue(v.detail().contains("k is not linearizable"), v.detail());
  }

  @Test
  void concurrentReadsMaySeeEitherSideOfAWrite() {
    assertEquals(Result.LINEARIZABLE, verdict(w(0, "a", 0, 1), w(0, "b", 2, 10), r(1, "b", 3, 4),
        r(2, "b", 5, 6)));
    assertEquals(Result.LINEARIZABLE, verdict(w(0, "a", 0, 1), w(0, "b", 2, 10), r(1, "a", 3, 4),
        r(2, "b", 5, 6)));
  }

  @Test
  void readsMustNotGoBackOnceANewValueWasSeen() {
    // b is read, then (strictly later) a is read again while b's write is still in flight: not linearizable
    assertEquals(Result.VIOLATION, verdict(w(0, "a", 0, 1), w(0, "b", 2, 20), r(1, "b", 3, 4),
        r(2, "a", 5, 6)));
  }

  @Test
  void aReadOfAValueNobodyWroteIsAViolation() {
    assertEquals(Result.VIOLATION, verdict(w(0, "a", 0, 1), r(1, "zzz", 2, 3)));
  }

  @Test
  void anUnknownWriteMayTakeEffectLateOrNever() {
    // took effect much later than its client gave up
    assertEquals(Result.LINEARIZABLE, verdict(wInfo(0, "x", 0), w(1, "a", 10, 11), r(2, "a", 12, 13),
        r(2, "x", 50, 51)));
    // never took effect
    assertEquals(Result.LINEARIZABLE, verdict(wInfo(0, "x", 0), w(1, "a", 10, 11), r(2, "a", 12, 13)));
    // but not before it was sent
    assertEquals(Result.VIOLATION, verdict(r(2, "x", 0, 1), wInfo(0, "x", 5)));
  }

  @Test
  void aWriteThatCertainlyFailedCannotBeRead() {
    assertEquals(Result.VIOLATION, verdict(wFail(0, "x", 0), r(1, "x", 5, 6)));
  }

  @Test
  void keysAreIndependentRegisters() {
    HistoryOp a = HistoryOp.write(0, "k1", "a", 0, 1, Outcome.OK, "m1");
    HistoryOp b = HistoryOp.read(1, "k2", null, 2, 3, Outcome.OK, "m1");
    assertEquals(Result.LINEARIZABLE, RegisterChecker.check(List.of(a, b)).result());
  }

  @Test
  void aSearchBudgetTooSmallGivesUnknownNotAVerdict() {
    List<HistoryOp> ops = new ArrayList<>();
    // a dozen concurrent writes, the last read naming one of them: thousands of orders to try
    for (int i = 0; i < 12; i++) {
      ops.add(w(i, "v" + i, 0, 100));
    }
    ops.add(r(99, "v7", 200, 201));
    assertEquals(Result.UNKNOWN, RegisterChecker.check(ops, 10).result());
    assertEquals(Result.LINEARIZABLE, RegisterChecker.check(ops).result());
  }

  /** A simulated linearizable register under concurrency (each op takes effect at a random instant of its span). */
  @Test
  void randomLinearizableHistoriesPassAndACorruptedReadFails() {
    Random random = new Random(7);
    for (int round = 0; round < 8; round++) {
      List<HistoryOp> ops = simulate(random, 6, 200);
      assertEquals(Result.LINEARIZABLE, RegisterChecker.check(ops).result(), "round " + round);
      // corrupt one read that saw a value: make it see a value from the distant past
      int i = indexOfLateRead(ops);
      if (i >= 0) {
        HistoryOp old = ops.get(i);
        ops.set(i, HistoryOp.read(old.client(), old.key(), firstWritten(ops), old.invokeNanos(),
            old.completeNanos(), Outcome.OK, old.member()));
        Result corrupted = RegisterChecker.check(ops).result();
        assertEquals(Result.VIOLATION, corrupted, "round " + round);
      }
    }
  }

  /** Clients with one op in flight each; ops take effect at a random point; some writes end unknown. */
  static List<HistoryOp> simulate(Random random, int clients, int steps) {
    record Pending(int client, boolean write, String value, long invoke, long effect, long complete, boolean info) {}
    List<HistoryOp> ops = new ArrayList<>();
    long[] free = new long[clients];
    List<Pending> all = new ArrayList<>();
    int seq = 0;
    for (int s = 0; s < steps; s++) {
      int c = random.nextInt(clients);
      long invoke = free[c] + random.nextInt(5);
      long effect = invoke + 1 + random.nextInt(20);
      long complete = effect + 1 + random.nextInt(20);
      boolean write = random.nextBoolean();
      boolean info = write && random.nextInt(20) == 0;
      all.add(new Pending(c, write, write ? "v" + seq++ : null, invoke, info && random.nextBoolean()
          ? effect + 1000 : effect, complete, info));
      free[c] = complete;
    }
    // apply in effect order
    all.sort((a, b) -> Long.compare(a.effect(), b.effect()));
    String state = null;
    for (Pending p : all) {
      if (p.write()) {
        state = p.value();
        ops.add(p.info() ? HistoryOp.write(p.client(), "k", p.value(), p.invoke(), p.complete(), Outcome.INFO, "m")
            : HistoryOp.write(p.client(), "k", p.value(), p.invoke(), p.complete(), Outcome.OK, "m"));
      } else {
        ops.add(HistoryOp.read(p.client(), "k", state, p.invoke(), p.complete(), Outcome.OK, "m"));
      }
    }
    return ops;
  }

  private static int indexOfLateRead(List<HistoryOp> ops) {
    long latestInvoke = -1;
    int best = -1;
    for (int i = 0; i < ops.size(); i++) {
      HistoryOp op = ops.get(i);
      if (op.kind() == HistoryOp.Kind.READ && op.value() != null && !op.value().equals(firstWritten(ops))
          && op.invokeNanos() > latestInvoke) {
        latestInvoke = op.invokeNanos();
        best = i;
      }
    }
    return best;
  }

  /** The value of the write that completed first (long overwritten by the end). */
  private static String firstWritten(List<HistoryOp> ops) {
    return ops.stream().filter(o -> o.kind() == HistoryOp.Kind.WRITE && o.ok())
        .min((a, b) -> Long.compare(a.completeNanos(), b.completeNanos())).orElseThrow().value();
  }

  @Test
  void acknowledgedWritesMustSurviveToTheFinalRead() {
    List<HistoryOp> h = List.of(w(0, "a", 0, 1), w(1, "b", 5, 6), wInfo(2, "c", 7));
    Map<String, String> finals = new HashMap<>();
    finals.put("k", "b");
    assertEquals(List.of(), RegisterChecker.lostWrites(h, finals));
    finals.put("k", "c"); // the unknown write may have landed last
    assertEquals(List.of(), RegisterChecker.lostWrites(h, finals));
    finals.put("k", "a"); // b was sent after a was acknowledged, and is gone
    assertEquals(1, RegisterChecker.lostWrites(h, finals).size());
    finals.put("k", null);
    assertEquals(2, RegisterChecker.lostWrites(h, finals).size());
    finals.put("k", "nobody");
    assertTrue(RegisterChecker.lostWrites(h, finals).get(0).contains("never written"));
    assertTrue(RegisterChecker.lostWrites(h, Map.of()).get(0).contains("no final read"));
  }

  @Test
  void concurrentAcknowledgedWritesMayEitherWin() {
    List<HistoryOp> h = List.of(w(0, "a", 0, 10), w(1, "b", 5, 6));
    assertEquals(List.of(), RegisterChecker.lostWrites(h, Map.of("k", "a")));
    assertEquals(List.of(), RegisterChecker.lostWrites(h, Map.of("k", "b")));
  }
}
