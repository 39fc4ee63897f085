package io.keyway.gateway.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoBase64Test {

  private static byte[] decode(String s) {
    return GoBase64.decode(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void decodesPaddedStandardBase64() {
    assertArrayEquals("foo".getBytes(), decode("Zm9v"));
    assertArrayEquals("fooba".getBytes(), decode("Zm9vYmE="));
    assertArrayEquals("foob".getBytes(), decode("Zm9vYg=="));
    assertArrayEquals(new byte[0], decode(""));
    assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, decode("+/8="));
  }

  @Test
  void skipsLineBreaksAsGoDoes() {
    assertArrayEquals("foobar".getBytes(), decode("Zm9v\r\nYmFy\n"));
    assertArrayEquals("foob".getBytes(), decode("Zm9vYg=\n="));
  }

  @ParameterizedTest
  @CsvSource({
      "!!!,0",
      "Zm9vYg,4",
      "_-8=,0",
      "Zm9vY,4",
      "Zm9v=,4",
      "Zg=,3",
      "Zg==Zg==,4",
      "Zm9vYg=x,6",
  })
  void reportsGosOffsets(String input, int offset) {
    JsonDecodeException e = assertThrows(JsonDecodeException.class, () -> decode(input));
    assertEquals("illegal base64 data at input byte " + offset, e.getMessage());
  }

  /** The one-pass path must give what Go's step-by-step decoder gives, or leave the input to it. */
  @Test
  void wellFormedFastPathAgreesWithTheGeneralDecoder() {
    java.util.Random random = new java.util.Random(9);
    byte[] symbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n-_!".getBytes();
    for (int i = 0; i < 100_000; i++) {
      byte[] raw = new byte[random.nextInt(40)];
      random.nextBytes(raw);
      byte[] src = java.util.Base64.getEncoder().encode(raw);
      int mutations = random.nextInt(3);
      for (int m = 0; m < mutations && src.length > 0; m++) {
        src[random.nextInt(src.length)] = symbols[random.nextInt(symbols.length)];
      }
      if (random.nextInt(10) == 0 && src.length > 0) {
        src = java.util.Arrays.copyOf(src, random.nextInt(src.length));
      }
      byte[] fast = GoBase64.decodeWellFormed(src);
      String general;
      try {
        general = java.util.HexFormat.of().formatHex(GoBase64.decodeAnyInput(src));
      } catch (JsonDecodeException e) {
        general = e.getMessage();
      }
      if (fast != null) {
        assertEquals(general, java.util.HexFormat.of().formatHex(fast), new String(src));
      }
      String viaDecode;
      try {
        viaDecode = java.util.HexFormat.of().formatHex(GoBase64.decode(src));
      } catch (JsonDecodeException e) {
        viaDecode = e.getMessage();
      }
      assertEquals(general, viaDecode, new String(src));
    }
  }
}
