package io.keyway.gateway.v2;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * Where v2 nodes live in the replicated v3 keyspace. Under {@code /_v2/k}: a file {@code /a/b} is the v3 key
 * {@code /_v2/k/a/b} (its value is the node's value), a directory {@code /a} is {@code /_v2/k/a/} (value empty),
 * so a directory's whole subtree is the one v3 prefix {@code /_v2/k/a/}. {@code /_v2/act} records the action of
 * the latest v2 write, in the same Txn, so watchers can tell set from create from compareAndSwap.
 */
final class V2Keys {
  static final String ROOT = "/_v2/";
  static final String NODES = "/_v2/k";
  static final ByteString ACTION = utf8("/_v2/act");
  /** Everything v2 writes: nodes and the action record. */
  static final ByteString ALL = utf8(ROOT);

  private V2Keys() {}

  static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static ByteString file(String path) {
    return utf8(NODES + path);
  }

  static ByteString dir(String path) {
    return utf8(NODES + (V2Paths.isRoot(path) ? "/" : path + "/"));
  }

  /** The first key after every key that starts with {@code prefix} (v3's prefix range end). */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] b = prefix.toByteArray();
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != (byte) 0xff) {
        b[i]++;
        return ByteString.copyFrom(b, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0});
  }

  /** Whether v3 key {@code key} is a v2 node (rather than the action record or something else). */
  static boolean isNode(ByteString key) {
    return key.size() > NODES.length() + 1 && key.startsWith(utf8(NODES + "/"));
  }

  /** The node path of a node key: {@code /_v2/k/a/} gives {@code /a}. */
  static String path(ByteString key) {
    String rest = key.substring(NODES.length()).toString(StandardCharsets.UTF_8);
    return rest.length() > 1 && rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
  }

  static boolean isDirKey(ByteString key) {
    return key.size() > 0 && key.byteAt(key.size() - 1) == '/';
  }
}
