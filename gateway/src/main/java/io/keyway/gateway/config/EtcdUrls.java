package io.keyway.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** etcd's {@code types.NewURLs}: a comma-separated list of scheme://host:port URLs, with etcd's checks. */
public final class EtcdUrls {
  private EtcdUrls() {}

  public static List<URI> parse(String value) {
    List<URI> urls = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String s = part.trim();
      URI u;
      try {
        u = new URI(s);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("parse \"" + s + "\": " + e.getReason());
      }
      String scheme = u.getScheme();
      if (scheme == null || !List.of("http", "https", "unix", "unixs").contains(scheme)) {
        throw new IllegalArgumentException("URL scheme must be http, https, unix, or unixs: " + s);
      }
      String authority = u.getRawAuthority();
      if (authority == null || !authority.matches(".*[^:]:[0-9]+") && !authority.matches("\\[.*\\]:[0-9]+")) {
        throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + s);
      }
      String path = u.getRawPath();
      if (path != null && !path.isEmpty()) {
        throw new IllegalArgumentException("URL must not contain a path: " + s);
      }
      urls.add(u);
    }
    return urls;
  }
}
