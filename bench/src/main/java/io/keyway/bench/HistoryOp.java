package io.keyway.bench;

/**
 * One client operation of the availability workload on one key of a register, as the history records it.
 * Every written value is unique, so a value names the write that produced it.
 *
 * @param client the client (0..n-1; -1 for the final reads after the run)
 * @param kind write (a put) or read (a linearizable range)
 * @param key the key
 * @param value the value written, or the value read (null: the key was absent)
 * @param invokeNanos when the request was sent (System.nanoTime)
 * @param completeNanos when the answer (or the error, or the client's timeout) arrived
 * @param outcome OK: answered; FAIL: certainly had no effect (never reached a server); INFO: unknown, a write may
 *     have taken effect at any time after its invocation
 * @param member the member the client sent it to
 */
record HistoryOp(int client, Kind kind, String key, String value, long invokeNanos, long completeNanos,
                 Outcome outcome, String member) {

  enum Kind { WRITE, READ }

  enum Outcome { OK, FAIL, INFO }

  static HistoryOp write(int client, String key, String value, long invoke, long complete, Outcome outcome,
                         String member) {
    return new HistoryOp(client, Kind.WRITE, key, value, invoke, complete, outcome, member);
  }

  static HistoryOp read(int client, String key, String value, long invoke, long complete, Outcome outcome,
                        String member) {
    return new HistoryOp(client, Kind.READ, key, value, invoke, complete, outcome, member);
  }

  boolean ok() {
    return outcome == Outcome.OK;
  }

  @Override
  public String toString() {
    String what = kind == Kind.WRITE ? "write(" + key + "=" + value + ")" : "read(" + key + ")=" + value;
    return "c" + client + " " + what + " " + outcome.name().toLowerCase(java.util.Locale.ROOT) + " ["
        + invokeNanos / 1_000_000 + "," + completeNanos / 1_000_000 + "]ms via " + member;
  }
}
