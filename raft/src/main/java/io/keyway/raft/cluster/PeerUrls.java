package io.keyway.raft.cluster;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** etcd's rules for peer URLs (types.NewURLs): http(s) with host:port and no path, kept sorted. */
public final class PeerUrls {
  private PeerUrls() {}

  /** Validates and sorts, as etcd does before hashing them into a member id. */
  public static List<String> normalize(Collection<String> urls) {
    if (urls == null || urls.isEmpty()) {
      throw new IllegalArgumentException("no valid URLs given");
    }
    List<String> out = new ArrayList<>(urls.size());
    for (String raw : urls) {
      String url = raw.trim();
      URI uri = parse(url);
      if (uri.getPort() < 0 || uri.getHost() == null) {
        throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + url);
      }
      if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
        throw new IllegalArgumentException("URL must not contain a path: " + url);
      }
      out.add(url);
    }
    out.sort(String::compareTo);
    return List.copyOf(out);
  }

  /** "host:port" of a peer URL: the address JRaft names and dials a member by. */
  public static String hostPort(String url) {
    URI uri = parse(url.trim());
    return uri.getHost() + ":" + uri.getPort();
  }

  public static String host(String url) {
    return parse(url.trim()).getHost();
  }

  public static int port(String url) {
    return parse(url.trim()).getPort();
  }

  private static URI parse(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        // unix sockets are valid for etcd but meaningless for the gRPC peer transport used here
        throw new IllegalArgumentException("URL scheme must be http or https: " + url);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid URL " + url + ": " + e.getMessage(), e);
    }
  }
}
