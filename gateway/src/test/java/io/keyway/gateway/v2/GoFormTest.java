package io.keyway.gateway.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GoFormTest {
  @Test
  void bodyValuesComeBeforeQueryValues() throws Exception {
    GoForm form = GoForm.parse("value=body&x=1", "value=query&y=a+b%21");
    assertEquals("body", form.value("value"));
    assertEquals("a b!", form.value("y"));
    assertTrue(form.has("x"));
    assertEquals("", form.value("missing"));
  }

  @Test
  void malformedEscapesAndSemicolonsAreGoErrors() {
    GoForm.Malformed e = assertThrows(GoForm.Malformed.class, () -> GoForm.parse(null, "value=%zz"));
    assertEquals("invalid URL escape \"%zz\"", e.getMessage());
    e = assertThrows(GoForm.Malformed.class, () -> GoForm.parse(null, "a=1;b=2"));
    assertEquals("invalid semicolon separator in query", e.getMessage());
  }

  @Test
  void boolsAndNumbersParseAsGoDoes() throws Exception {
    GoForm form = GoForm.parse(null, "a=T&b=0&c=yes&n=12&m=-1");
    assertTrue(form.bool("a", 209, "a"));
    assertFalse(form.bool("b", 209, "b"));
    assertFalse(form.bool("absent", 209, "x"));
    V2Error bad = assertThrows(V2Error.class, () -> form.bool("c", 209, "invalid value for \"c\""));
    assertEquals(400, bad.status());
    assertEquals("{\"errorCode\":209,\"message\":\"Invalid field\",\"cause\":\"invalid value for \\\"c\\\"\","
        + "\"index\":0}\n", bad.json());
    assertEquals(12, form.uint64("n", 203, "n"));
    assertThrows(V2Error.class, () -> form.uint64("m", 203, "m"));
  }
}
