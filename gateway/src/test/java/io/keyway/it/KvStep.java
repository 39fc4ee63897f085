package io.keyway.it;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request of a differential scenario. The body may refer to the store revision after the previous step as
 * {@code {{rev}}}, {@code {{rev-N}}} or {@code {{rev+N}}}, resolved from the oracle's answer just before sending.
 *
 * @param decoderError the body is malformed on purpose: the error text comes from the JSON library, so only the
 *     status, code and shape are compared
 */
record KvStep(String label, String route, String body, boolean decoderError) {

  private static final Pattern REVISION = Pattern.compile("\\{\\{rev(?:([+-])(\\d+))?}}");

  static KvStep of(String label, String route, Object body) {
    return new KvStep(label, route, body.toString(), false);
  }

  static KvStep malformed(String label, String route, String body) {
    return new KvStep(label, route, body, true);
  }

  String resolvedBody(long revision) {
    Matcher m = REVISION.matcher(body);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      long value = revision;
      if (m.group(1) != null) {
        long delta = Long.parseLong(m.group(2));
        value = m.group(1).equals("+") ? revision + delta : revision - delta;
      }
      m.appendReplacement(out, Long.toString(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
