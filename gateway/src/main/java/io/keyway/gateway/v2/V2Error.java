package io.keyway.gateway.v2;

import io.keyway.gateway.json.GoStrings;
import java.util.Map;

/**
 * etcd's v2 error ({@code v2error.Error}): a code from etcd's table, its fixed message, a cause (usually the key)
 * and the store index when it was raised. Thrown through the v2 operations and written as etcd writes it.
 */
public final class V2Error extends RuntimeException {
  static final int KEY_NOT_FOUND = 100;
  static final int TEST_FAILED = 101;
  static final int NOT_FILE = 102;
  static final int NOT_DIR = 104;
  static final int NODE_EXIST = 105;
  static final int ROOT_READ_ONLY = 107;
  static final int DIR_NOT_EMPTY = 108;
  static final int UNAUTHORIZED = 110;
  static final int PREV_VALUE_REQUIRED = 201;
  static final int TTL_NAN = 202;
  static final int INDEX_NAN = 203;
  static final int INVALID_FIELD = 209;
  static final int INVALID_FORM = 210;
  static final int REFRESH_VALUE = 211;
  static final int REFRESH_TTL_REQUIRED = 212;
  static final int RAFT_INTERNAL = 300;
  static final int EVENT_INDEX_CLEARED = 401;

  private static final Map<Integer, String> MESSAGES = Map.ofEntries(
      Map.entry(100, "Key not found"),
      Map.entry(101, "Compare failed"),
      Map.entry(102, "Not a file"),
      Map.entry(103, "Reached the max number of peers in the cluster"),
      Map.entry(104, "Not a directory"),
      Map.entry(105, "Key already exists"),
      Map.entry(106, "The prefix of given key is a keyword in etcd"),
      Map.entry(107, "Root is read only"),
      Map.entry(108, "Directory not empty"),
      Map.entry(109, "Peer address has existed"),
      Map.entry(110, "The request requires user authentication"),
      Map.entry(200, "Value is Required in POST form"),
      Map.entry(201, "PrevValue is Required in POST form"),
      Map.entry(202, "The given TTL in POST form is not a number"),
      Map.entry(203, "The given index in POST form is not a number"),
      Map.entry(204, "Value or TTL is required in POST form"),
      Map.entry(205, "The given timeout in POST form is not a number"),
      Map.entry(206, "Name is required in POST form"),
      Map.entry(207, "Index or value is required"),
      Map.entry(208, "Index and value cannot both be specified"),
      Map.entry(209, "Invalid field"),
      Map.entry(210, "Invalid POST form"),
      Map.entry(211, "Value provided on refresh"),
      Map.entry(212, "A TTL must be provided on refresh"),
      Map.entry(300, "Raft Internal Error"),
      Map.entry(301, "During Leader Election"),
      Map.entry(400, "watcher is cleared due to etcd recovery"),
      Map.entry(401, "The event in requested index is outdated and cleared"),
      Map.entry(402, "Standby Internal Error"),
      Map.entry(403, "Invalid active size"),
      Map.entry(404, "Standby remove delay"),
      Map.entry(500, "Client Internal Error"));

  private final int code;
  private final String cause;
  private final long index;

  V2Error(int code, String cause, long index) {
    super(MESSAGES.getOrDefault(code, "") + " (" + cause + ")", null, false, false);
    this.code = code;
    this.cause = cause == null ? "" : cause;
    this.index = index;
  }

  /** A request error: etcd raises these before the store is asked, with index 0. */
  static V2Error request(int code, String cause) {
    return new V2Error(code, cause, 0);
  }

  public int code() {
    return code;
  }

  public long index() {
    return index;
  }

  /** etcd's status for the code: 404, 403, 401, 412, 500, else 400. */
  public int status() {
    return switch (code) {
      case KEY_NOT_FOUND -> 404;
      case NOT_FILE, DIR_NOT_EMPTY -> 403;
      case UNAUTHORIZED -> 401;
      case TEST_FAILED, NODE_EXIST -> 412;
      case RAFT_INTERNAL, 301 -> 500;
      default -> 400;
    };
  }

  V2Error withIndex(long newIndex) {
    return new V2Error(code, cause, newIndex);
  }

  /** The body etcd writes, newline included; {@code cause} is omitted when empty, {@code index} never is. */
  public String json() {
    StringBuilder sb = new StringBuilder(96).append("{\"errorCode\":").append(code)
        .append(",\"message\":").append(GoStrings.jsonString(MESSAGES.getOrDefault(code, "")));
    if (!cause.isEmpty()) {
      sb.append(",\"cause\":").append(GoStrings.jsonString(cause));
    }
    return sb.append(",\"index\":").append(index).append("}\n").toString();
  }
}
