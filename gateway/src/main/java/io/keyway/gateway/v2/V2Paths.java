package io.keyway.gateway.v2;

import java.util.ArrayList;
import java.util.List;

/** v2 node paths: cleaned as Go's {@code path.Clean("/" + p)}, always absolute, root is {@code "/"}. */
final class V2Paths {
  private V2Paths() {}

  static String clean(String p) {
    String[] parts = p.split("/", -1);
    List<String> out = new ArrayList<>();
    for (String part : parts) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      out.add(part);
    }
    return "/" + String.join("/", out);
  }

  static boolean isRoot(String p) {
    return p.equals("/");
  }

  /** The directories above {@code p}, root excluded, shallowest first: /a/b/c gives /a, /a/b. */
  static List<String> ancestors(String p) {
    List<String> out = new ArrayList<>();
    for (int i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
      out.add(p.substring(0, i));
    }
    return out;
  }

  static String parent(String p) {
    int i = p.lastIndexOf('/');
    return i <= 0 ? "/" : p.substring(0, i);
  }

  /** Path {@code p} and every directory above it, root first: / , /a, /a/b. */
  static List<String> selfAndAncestors(String p) {
    List<String> out = new ArrayList<>();
    out.add("/");
    out.addAll(ancestors(p));
    if (!isRoot(p)) {
      out.add(p);
    }
    return out;
  }

  /** A node whose name starts with an underscore is left out of directory listings. */
  static boolean hiddenName(String p) {
    return p.substring(p.lastIndexOf('/') + 1).startsWith("_");
  }

  /** etcd's isHidden: whether {@code keyPath} lies in a hidden node as seen from watcher path {@code watchPath}. */
  static boolean hiddenFrom(String watchPath, String keyPath) {
    if (watchPath.length() > keyPath.length()) {
      return false;
    }
    String after = clean("/" + keyPath.substring(watchPath.length()));
    return after.contains("/_");
  }

  /** The in-order key name POST creates under a directory: the index, zero-padded to 20 digits. */
  static String inOrderName(long index) {
    return String.format("%020d", index);
  }
}
