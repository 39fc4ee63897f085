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
}
