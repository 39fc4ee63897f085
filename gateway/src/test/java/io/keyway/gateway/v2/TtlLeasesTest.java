package io.keyway.gateway.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TtlLeasesTest {
  @Test
  void aLeaseIdCarriesItsExpirationToTheCentisecond() {
    long expire = 1_796_000_000_123L;
    long id = TtlLeases.newId(expire);
    assertTrue(id > 0);
    assertEquals(Instant.ofEpochMilli(1_796_000_000_130L), TtlLeases.expiration(id));
    assertNull(TtlLeases.expiration(0));
    assertNull(TtlLeases.expiration(0x694d7a6b8c1d2e3fL)); // a lease a v3 client chose
  }

  @Test
  void ttlIsTheRemainingTimeRoundedUp() {
    Instant at = Instant.ofEpochMilli(10_000);
    assertEquals(10, TtlLeases.ttl(at, 0));
    assertEquals(1, TtlLeases.ttl(at, 9_999));
    assertEquals(0, TtlLeases.ttl(at, 10_000));
    assertEquals(0, TtlLeases.ttl(at, 10_500));
  }

  @Test
  void expirationPrintsAsGoRfc3339Nano() {
    assertEquals("2026-12-07T17:10:16.14Z", V2Node.rfc3339Nano(Instant.parse("2026-12-07T17:10:16.140Z")));
    assertEquals("2026-12-07T17:10:16Z", V2Node.rfc3339Nano(Instant.parse("2026-12-07T17:10:16Z")));
  }
}
