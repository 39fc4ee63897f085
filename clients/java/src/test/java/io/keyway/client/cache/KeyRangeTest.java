package io.keyway.client.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KeyRangeTest {

  @Test
  void prefixEndIsEtcds() {
    assertArrayEquals(new byte[] {'a', 'c'}, KeyRange.prefixEnd(new byte[] {'a', 'b'}));
    assertArrayEquals(new byte[] {'b'}, KeyRange.prefixEnd(new byte[] {'a', (byte) 0xff}));
    assertArrayEquals(new byte[] {0}, KeyRange.prefixEnd(new byte[] {(byte) 0xff, (byte) 0xff}));
  }

  @Test
  void theEmptyPrefixIsEveryKey() {
    KeyRange all = KeyRange.prefix(Values.utf8(""));
    assertArrayEquals(new byte[] {0}, all.start().getBytes());
    assertArrayEquals(new byte[] {0}, all.end().getBytes());
  }

  @Test
  void thePageAfterAKeyStartsJustAfterIt() {
    assertEquals("a/b\0", Values.utf8(KeyRange.successor(Values.utf8("a/b"))));
  }
}
