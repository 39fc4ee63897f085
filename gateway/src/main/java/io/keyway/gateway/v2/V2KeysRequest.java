package io.keyway.gateway.v2;

/**
 * A {@code /v2/keys} request as etcd's parseKeyRequest reads it: the same fields, the same checks in the same
 * order, the same errors.
 */
record V2KeysRequest(String method, String path, String value, boolean dir, String prevValue, long prevIndex,
    Boolean prevExist, boolean watch, long waitIndex, boolean recursive, boolean sorted, boolean quorum,
    boolean stream, boolean refresh, V2Store.Ttl ttl, boolean noValueOnSuccess) {

  /** @param keyPath the request path after {@code /v2/keys} */
  static V2KeysRequest parse(String method, String keyPath, GoForm form, long nowMillis) {
    String path = V2Paths.clean(keyPath);
    long prevIndex = form.uint64("prevIndex", V2Error.INDEX_NAN, "invalid value for \"prevIndex\"");
    long waitIndex = form.uint64("waitIndex", V2Error.INDEX_NAN, "invalid value for \"waitIndex\"");
    boolean recursive = form.bool("recursive", V2Error.INVALID_FIELD, "invalid value for \"recursive\"");
    boolean sorted = form.bool("sorted", V2Error.INVALID_FIELD, "invalid value for \"sorted\"");
    boolean wait = form.bool("wait", V2Error.INVALID_FIELD, "invalid value for \"wait\"");
    boolean dir = form.bool("dir", V2Error.INVALID_FIELD, "invalid value for \"dir\"");
    boolean quorum = form.bool("quorum", V2Error.INVALID_FIELD, "invalid value for \"quorum\"");
    boolean stream = form.bool("stream", V2Error.INVALID_FIELD, "invalid value for \"stream\"");
    if (wait && !method.equals("GET")) {
      throw V2Error.request(V2Error.INVALID_FIELD, "\"wait\" can only be used with GET requests");
    }
    String prevValue = form.value("prevValue");
    if (form.has("prevValue") && prevValue.isEmpty()) {
      throw V2Error.request(V2Error.PREV_VALUE_REQUIRED, "\"prevValue\" cannot be empty");
    }
    boolean noValue = form.bool("noValueOnSuccess", V2Error.INVALID_FIELD,
        "invalid value for \"noValueOnSuccess\"");
    V2Store.Ttl ttl = null;
    if (!form.value("ttl").isEmpty()) {
      long seconds = form.uint64("ttl", V2Error.TTL_NAN, "invalid value for \"ttl\"");
      long capped = Math.min(seconds, V2Store.MAX_TTL_SECONDS);
      ttl = new V2Store.Ttl(capped, nowMillis + capped * 1000);
    }
    Boolean prevExist = null;
    if (form.has("prevExist")) {
      prevExist = form.bool("prevExist", V2Error.INVALID_FIELD, "invalid value for prevExist");
    }
    boolean refresh = false;
    if (form.has("refresh")) {
      refresh = form.bool("refresh", V2Error.INVALID_FIELD, "invalid value for refresh");
      if (refresh) {
        if (form.has("value") && !form.value("value").isEmpty()) {
          throw V2Error.request(V2Error.REFRESH_VALUE, "A value was provided on a refresh");
        }
        if (ttl == null) {
          throw V2Error.request(V2Error.REFRESH_TTL_REQUIRED, "No TTL value set");
        }
      }
    }
    return new V2KeysRequest(method, path, form.value("value"), dir, prevValue, prevIndex, prevExist, wait,
        waitIndex, recursive, sorted, quorum, stream, refresh, ttl, noValue);
  }
}
