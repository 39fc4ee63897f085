package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Histories the checker must accept and ones it must reject (times in ms, converted to nanos). */
class LinearizabilityCheckerTest {

  private static final long MS = 1_000_000;
  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  private static RegisterOp put(String v, long from, long to, long rev) {
    return RegisterOp.put("k", v, from * MS, to * MS, rev, "t");
  }

  private static RegisterOp get(String v, long modRev, long from, long to, long rev) {
    return RegisterOp.get("k", v, modRev, from * MS, to * MS, rev, "t");
  }

  private static RegisterOp unknownPut(String v, long from) {
    return RegisterOp.unknown(RegisterOp.Kind.PUT, "k", v, null, from * MS, "t");
  }

  @Test
  void sequentialHistoryPasses() {
    assertEquals(List.of(), checker.check(List.of(
        get(null, 0, 0, 1, 1),
        put("a", 2, 3, 2),
        get("a", 2, 4, 5, 2),
        RegisterOp.casSucceeded("k", "a", "b", 6 * MS, 7 * MS, 3, "t"),
        RegisterOp.casFailed("k", "a", "c", "b", 3, 8 * MS, 9 * MS, 3, "t"),
        RegisterOp.delete("k", true, 10 * MS, 11 * MS, 4, "t"),
        get(null, 0, 12, 13, 4))));
  }

  @Test
  void staleReadAfterCompletedWriteFails() {
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 2),
        put("b", 2, 3, 3),
        get("a", 2, 4, 5, 3)));
    assertFalse(v.isEmpty());
    assertTrue(v.stream().anyMatch(s -> s.contains("not linearizable")), v::toString);
  }

  @Test
  void concurrentReadMaySeeEitherValue() {
    assertEquals(List.of(), checker.check(List.of(
        put("a", 0, 1, 2),
        put("b", 2, 10, 3),
        get("a", 2, 3, 4, 2),
        get("b", 3, 5, 6, 3),
        get("b", 3, 7, 8, 3))));
  }

  @Test
  void readsMustNotFlipBackDuringAConcurrentWrite() {
    // once a read saw the new value, a read that began afterwards cannot see the old one
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 2),
        put("b", 2, 20, 3),
        get("b", 3, 3, 4, 3),
        get("a", 2, 5, 6, 3)));
    assertTrue(v.stream().anyMatch(s -> s.contains("not linearizable")), v::toString);
  }

  @Test
  void unknownWriteMayTakeEffectLateOrNever() {
    assertEquals(List.of(), checker.check(List.of(
        put("a", 0, 1, 2),
        unknownPut("b", 2),
        get("a", 2, 3, 4, 2),
        get("b", 3, 50, 51, 3))));
    assertEquals(List.of(), checker.check(List.of(
        put("a", 0, 1, 2),
        unknownPut("b", 2),
        get("a", 2, 30, 31, 2))));
  }

  @Test
  void unknownWriteCannotTakeEffectBeforeItWasSent() {
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 2),
        get("b", 3, 2, 3, 3),
        unknownPut("b", 10)));
    assertTrue(v.stream().anyMatch(s -> s.contains("not linearizable")), v::toString);
  }

  @Test
  void lostAcknowledgedWriteFails() {
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 2),
        put("b", 2, 3, 3),
        get("a", 2, 10, 11, 4)));
    assertFalse(v.isEmpty(), v::toString);
  }

  @Test
  void casMustSeeTheCurrentValue() {
    // the CAS succeeded against "a" although "b" had replaced it before the CAS was sent
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 2),
        put("b", 2, 3, 3),
        RegisterOp.casSucceeded("k", "a", "c", 4 * MS, 5 * MS, 4, "t")));
    assertTrue(v.stream().anyMatch(s -> s.contains("not linearizable")), v::toString);
  }

  @Test
  void writeAppliedTwiceFails() {
    // a retried put applied again after a later write: its value comes back
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 2),
        put("b", 2, 3, 3),
        get("b", 3, 4, 5, 3),
        get("a", 6, 6, 7, 6)));
    assertFalse(v.isEmpty(), v::toString);
  }

  @Test
  void revisionGoingBackInRealTimeFails() {
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 5),
        RegisterOp.get("other", null, 0, 2 * MS, 3 * MS, 4, "t")));
    assertTrue(v.stream().anyMatch(s -> s.contains("revision went back")), v::toString);
  }

  @Test
  void oneValueWithTwoModRevisionsFails() {
    List<String> v = checker.check(List.of(
        put("a", 0, 1, 2),
        get("a", 3, 2, 3, 3)));
    assertTrue(v.stream().anyMatch(s -> s.contains("several mod_revisions")), v::toString);
  }

  @Test
  void modRevisionMustGrowAlongTheOrder() {
    // b is linearized after a but got a lower mod_revision (writes concurrent, reads pin the order)
    List<String> v = checker.check(List.of(
        put("a", 0, 10, 5),
        put("b", 0, 10, 4),
        get("a", 5, 11, 12, 5),
        get("b", 4, 13, 14, 5)));
    assertFalse(v.isEmpty(), v::toString);
  }

  @Test
  void largeConcurrentValidHistoryIsCheckedQuickly() {
    // five clients on a simulated atomic register with overlapping ops and some unknown outcomes
    Random random = new Random(42);
    List<RegisterOp> history = new ArrayList<>();
    String value = null;
    long modRev = 0;
    long rev = 1;
    long now = 0;
    for (int i = 0; i < 3000; i++) {
      long invoke = now + random.nextInt(3);
      long lin = invoke + 1 + random.nextInt(5);
      long complete = lin + 1 + random.nextInt(5);
      now += 2;
      int kind = random.nextInt(10);
      if (kind < 4) {
        history.add(RegisterOp.get("k", value, modRev, invoke * MS, complete * MS, rev, "t"));
      } else if (kind < 8) {
        String v = "v" + i;
        value = v;
        modRev = ++rev;
        history.add(random.nextInt(20) == 0
            ? RegisterOp.unknown(RegisterOp.Kind.PUT, "k", v, null, invoke * MS, "t")
            : RegisterOp.put("k", v, invoke * MS, complete * MS, rev, "t"));
      } else {
        String expect = random.nextBoolean() ? value : "nope";
        String v = "v" + i;
        if (java.util.Objects.equals(expect, value)) {
          value = v;
          modRev = ++rev;
          history.add(RegisterOp.casSucceeded("k", expect, v, invoke * MS, complete * MS, rev, "t"));
        } else {
          history.add(RegisterOp.casFailed("k", expect, v, value, modRev, invoke * MS, complete * MS, rev, "t"));
        }
      }
      now = Math.max(now, invoke);
      // keep the real-time order consistent with the linearization points
      now = Math.max(now, lin);
    }
    assertEquals(List.of(), checker.check(history));
  }
}
