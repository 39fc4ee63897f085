package io.keyway.gateway.v2;

/**
 * One v2 event ({@code v2store.Event}): the action, the node after it and before it, and the store index it is
 * answered at ({@code X-Etcd-Index}, not part of the body).
 */
final class V2Event {
  static final String GET = "get";
  static final String CREATE = "create";
  static final String SET = "set";
  static final String UPDATE = "update";
  static final String DELETE = "delete";
  static final String COMPARE_AND_SWAP = "compareAndSwap";
  static final String COMPARE_AND_DELETE = "compareAndDelete";
  static final String EXPIRE = "expire";

  final String action;
  final V2Node node;
  final V2Node prevNode;
  final long etcdIndex;
  /** A TTL refresh: a write that watchers are not told about. */
  final boolean refresh;

  V2Event(String action, V2Node node, V2Node prevNode, long etcdIndex, boolean refresh) {
    this.action = action;
    this.node = node;
    this.prevNode = prevNode;
    this.etcdIndex = etcdIndex;
    this.refresh = refresh;
  }

  V2Event(String action, V2Node node, V2Node prevNode, long etcdIndex) {
    this(action, node, prevNode, etcdIndex, false);
  }

  /** The index of the change (what watchers compare waitIndex with). */
  long index() {
    return node.modifiedIndex;
  }

  boolean isCreated() {
    return action.equals(CREATE) || (action.equals(SET) && prevNode == null);
  }

  boolean isDeletion() {
    return action.equals(DELETE) || action.equals(EXPIRE) || action.equals(COMPARE_AND_DELETE);
  }

  /** The full body, once printed, when it does not depend on the time (no TTL in it); one event, many watchers. */
  private volatile String timelessJson;

  /** The body etcd writes for this event, with its newline; {@code noValue} drops both nodes. */
  String json(boolean noValue, long nowMillis) {
    if (noValue) {
      return print(true, nowMillis);
    }
    String cached = timelessJson;
    if (cached != null) {
      return cached;
    }
    String printed = print(false, nowMillis);
    if (timeless(node) && timeless(prevNode)) {
      timelessJson = printed;
    }
    return printed;
  }

  private static boolean timeless(V2Node n) {
    return n == null || (n.expiration == null && n.nodes == null);
  }

  private String print(boolean noValue, long nowMillis) {
    StringBuilder sb = new StringBuilder(128).append("{\"action\":\"").append(action).append('"');
    if (node != null && !noValue) {
      sb.append(",\"node\":");
      node.appendJson(sb, nowMillis);
    }
    if (prevNode != null && !noValue) {
      sb.append(",\"prevNode\":");
      prevNode.appendJson(sb, nowMillis);
    }
    return sb.append("}\n").toString();
  }
}
