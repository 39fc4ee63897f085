package io.keyway.gateway.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GoStringsTest {

  @Test
  void quoteCharNamesBytesLikeEncodingJson() {
    assertEquals("'g'", GoStrings.quoteChar('g'));
    assertEquals("'\"'", GoStrings.quoteChar('"'));
    assertEquals("'\\''", GoStrings.quoteChar('\''));
    assertEquals("'\\n'", GoStrings.quoteChar('\n'));
    assertEquals("'\\x01'", GoStrings.quoteChar(1));
    assertEquals("'\\\\'", GoStrings.quoteChar('\\'));
  }

  @Test
  void quoteIsStrconvQuote() {
    assertEquals("\"\\\"BOGUS\\\"\"", GoStrings.quote("\"BOGUS\"".getBytes(StandardCharsets.UTF_8)));
    assertEquals("\"a\\tb\\x7fé\"", GoStrings.quote("a\tb\u007fé"));
    assertEquals("\"\\xff\"", GoStrings.quote(new byte[] {(byte) 0xff}));
  }

  @Test
  void jsonStringIsHtmlSafeLikeGo() {
    assertEquals("\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\u0001\"", GoStrings.jsonString("a<b>&\"\\\n\u0001"));
  }
}
