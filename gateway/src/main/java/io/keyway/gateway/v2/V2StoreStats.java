package io.keyway.gateway.v2;

import java.util.concurrent.atomic.LongAdder;

/**
 * etcd's v2 store statistics ({@code /v2/stats/store}), counted by the requests this member served (etcd counts
 * what its store applied, which on every member includes all writes).
 */
final class V2StoreStats {
  private static final String[] KINDS = {"get", "set", "delete", "update", "create", "compareAndSwap",
      "compareAndDelete"};
  private final LongAdder[] success = new LongAdder[KINDS.length];
  private final LongAdder[] fail = new LongAdder[KINDS.length];

  V2StoreStats() {
    for (int i = 0; i < KINDS.length; i++) {
      success[i] = new LongAdder();
      fail[i] = new LongAdder();
    }
  }

  void succeeded(V2KeysRequest r) {
    success[kind(r)].increment();
  }

  void failed(V2KeysRequest r) {
    fail[kind(r)].increment();
  }

  /** Which store operation a request is, as {@link V2Api} runs it. */
  private static int kind(V2KeysRequest r) {
    switch (r.method()) {
      case "POST":
        return 4;
      case "PUT":
        if (r.prevExist() != null) {
          if (r.prevExist()) {
            return r.prevIndex() == 0 && r.prevValue().isEmpty() ? 3 : 5;
          }
          return 4;
        }
        return r.prevIndex() > 0 || !r.prevValue().isEmpty() ? 5 : 1;
      case "DELETE":
        return r.prevIndex() > 0 || !r.prevValue().isEmpty() ? 6 : 2;
      default:
        return 0;
    }
  }

  String json(long watchers, long expired) {
    String[] names = {"gets", "sets", "delete", "update", "create", "compareAndSwap", "compareAndDelete"};
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      sb.append('"').append(names[i]).append("Success\":").append(success[i].sum()).append(',');
      sb.append('"').append(names[i]).append("Fail\":").append(fail[i].sum()).append(',');
    }
    return sb.append("\"expireCount\":").append(expired).append(",\"watchers\":").append(watchers)
        .append('}').toString();
  }
}
