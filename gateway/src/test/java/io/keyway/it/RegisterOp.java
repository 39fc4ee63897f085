package io.keyway.it;

import java.util.Objects;

/**
 * One client operation on one key of the register workload, as a history records it. Every written value is
 * unique, so a value names the write that produced it.
 *
 * @param kind what was asked
 * @param key the key
 * @param write the value a PUT or a CAS writes; null otherwise
 * @param expect the value a CAS compares against (null = the key is absent)
 * @param invokeNanos when the client sent it (System.nanoTime)
 * @param completeNanos when the answer arrived; {@link Long#MAX_VALUE} when the outcome is unknown
 * @param outcome OK (definite answer) or UNKNOWN (error, timeout: it may or may not have taken effect)
 * @param succeeded for a CAS: whether the compare held; for a DELETE: whether a key was deleted
 * @param read the value a GET or a failed CAS observed (null = absent)
 * @param readModRevision mod_revision of the value read (0 = absent)
 * @param revision header revision of the answer (0 = unknown)
 * @param via which member and protocol answered, for reports
 */
record RegisterOp(Kind kind, String key, String write, String expect, long invokeNanos, long completeNanos,
                  Outcome outcome, boolean succeeded, String read, long readModRevision, long revision,
                  String via) {

  enum Kind { PUT, GET, CAS, DELETE }

  enum Outcome { OK, UNKNOWN }

  static RegisterOp put(String key, String value, long invoke, long complete, long revision, String via) {
    return new RegisterOp(Kind.PUT, key, value, null, invoke, complete, Outcome.OK, true, null, 0, revision, via);
  }

  static RegisterOp get(String key, String value, long modRevision, long invoke, long complete, long revision,
                        String via) {
    return new RegisterOp(Kind.GET, key, null, null, invoke, complete, Outcome.OK, true, value, modRevision,
        revision, via);
  }

  static RegisterOp casSucceeded(String key, String expect, String value, long invoke, long complete,
                                 long revision, String via) {
    return new RegisterOp(Kind.CAS, key, value, expect, invoke, complete, Outcome.OK, true, null, 0, revision, via);
  }

  static RegisterOp casFailed(String key, String expect, String value, String read, long readModRevision,
                              long invoke, long complete, long revision, String via) {
    return new RegisterOp(Kind.CAS, key, value, expect, invoke, complete, Outcome.OK, false, read,
        readModRevision, revision, via);
  }

  static RegisterOp delete(String key, boolean deleted, long invoke, long complete, long revision, String via) {
    return new RegisterOp(Kind.DELETE, key, null, null, invoke, complete, Outcome.OK, deleted, null, 0, revision,
        via);
  }

  /** The same request with an unknown outcome (error or timeout). */
  static RegisterOp unknown(Kind kind, String key, String write, String expect, long invoke, String via) {
    return new RegisterOp(kind, key, write, expect, invoke, Long.MAX_VALUE, Outcome.UNKNOWN, false, null, 0, 0,
        via);
  }

  boolean known() {
    return outcome == Outcome.OK;
  }

  /** Whether the op, if it took effect, leaves {@code write} as the key's value. */
  boolean mayWrite(String value) {
    return value != null && Objects.equals(write, value) && (kind == Kind.PUT || kind == Kind.CAS)
        && (!known() || succeeded);
  }

  @Override
  public String toString() {
    String what = switch (kind) {
      case PUT -> "put(" + write + ")";
      case GET -> "get=" + read + "@" + readModRevision;
      case CAS -> "cas(" + expect + "->" + write + ")" + (known() ? (succeeded ? " ok" : " failed, saw " + read) : "");
      case DELETE -> "delete" + (known() ? (succeeded ? " deleted" : " none") : "");
    };
    String when = known() ? "[" + invokeNanos / 1_000_000 + "," + completeNanos / 1_000_000 + "]ms"
        : "[" + invokeNanos / 1_000_000 + ",?]ms UNKNOWN";
    return key + " " + what + " " + when + (revision > 0 ? " rev " + revision : "") + " via " + via;
  }
}
