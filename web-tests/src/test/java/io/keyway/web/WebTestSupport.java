package io.keyway.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** What every browser test needs around the browser: etcd's base64 fields, and tearing its set-up down. */
final class WebTestSupport {
  private WebTestSupport() {}

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String unb64(JsonNode n) {
    return new String(Base64.getDecoder().decode(n.asText()), StandardCharsets.UTF_8);
  }

  /** Closes each in turn (nulls skipped); one that fails does not keep the others open. */
  static void closeAll(AutoCloseable... resources) {
    for (AutoCloseable c : resources) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // keep closing the others
        }
      }
    }
  }
}
