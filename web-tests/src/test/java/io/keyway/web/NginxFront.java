package io.keyway.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * nginx as users put it in front of Keyway: one origin serving the page and proxying {@code /v3/} with the
 * WebSocket upgrade headers and response buffering off (so chunked watch lines pass through as they come), and
 * the member's {@code /keyway.js}. The whole member is also mounted under a path prefix ({@link #prefixed()}),
 * as a proxy that serves several things on one host does, for pages the member serves itself.
 */
final class NginxFront implements AutoCloseable {
  private static final List<String> SITE = List.of("index.html", "page.js");
  private static final String PREFIX = "/kw";
  private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rwxr-xr-x");

  final int port = LocalPorts.free();
  private final Path prefix;
  private final ChildProcess process;

  /** @param readTimeout nginx's proxy_read_timeout: an upstream silent this long is cut off */
  NginxFront(String upstream, Duration readTimeout) {
    this(upstream, null, readTimeout);
  }

  /**
   * nginx mounting the whole member under a path prefix (e.g. {@code /kv/} -> the member's {@code /}), as
   * people publish a member's console and API beside other sites on one host.
   */
  static NginxFront mounted(String upstream, String pathPrefix, Duration readTimeout) {
    return new NginxFront(upstream, pathPrefix, readTimeout);
  }

  private NginxFront(String upstream, String pathPrefix, Duration readTimeout) {
    try {
      // nginx's workers drop root to an unprivileged user: the page must be readable by anyone
      prefix = Files.createTempDirectory("keyway-nginx", PosixFilePermissions.asFileAttribute(READABLE));
      Path site = Files.createDirectories(prefix.resolve("site"), PosixFilePermissions.asFileAttribute(READABLE));
      for (String file : SITE) {
        try (InputStream in = NginxFront.class.getResourceAsStream("/site/" + file)) {
          Files.copy(in, site.resolve(file));
          Files.setPosixFilePermissions(site.resolve(file), READABLE);
        }
      }
      Files.createDirectories(prefix.resolve("logs"));
      Files.createDirectories(prefix.resolve("tmp"));
      Files.writeString(prefix.resolve("nginx.conf"), config(upstream, site, readTimeout, pathPrefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    process = ChildProcess.start("nginx", List.of(nginx(), "-p", prefix.toString(), "-c", "nginx.conf",
        "-g", "daemon off;"), prefix).awaitListening(port, Duration.ofSeconds(30));
  }

  private String config(String upstream, Path site, Duration readTimeout, String pathPrefix) {
    String tmp = prefix.resolve("tmp").toString();
    String locations = pathPrefix == null ? """
            location = /keyway.js { proxy_pass %1$s; }
            location /v3/ {
              proxy_pass %1$s;
              %2$s
            }
            location %3$s/ { proxy_pass %1$s/; %2$s }
        """.formatted(upstream, PASS_THROUGH, PREFIX) : """
            location %3$s { proxy_pass %1$s/; %2$s }
        """.formatted(upstream, PASS_THROUGH, pathPrefix);
    return """
        worker_processes 1;
        error_log logs/error.log warn;
        pid logs/nginx.pid;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
          types { text/html html; application/javascript js; }
          map $http_upgrade $connection_upgrade { default upgrade; '' close; }
          server {
            listen 127.0.0.1:%2$d;
            root %3$s;
            proxy_read_timeout %4$ds;
        %5$s
          }
        }
        """.formatted(tmp, port, site, Math.max(1, readTimeout.toSeconds()), locations);
  }

  /** WebSocket upgrades pass, and chunked watch lines go through as they come. */
  private static final String PASS_THROUGH = "proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; "
      + "proxy_set_header Connection $connection_upgrade; proxy_buffering off; proxy_request_buffering off;";

  private static String nginx() {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "nginx";
  }

  String origin() {
    return "http://127.0.0.1:" + port;
  }

  /** The member's own paths under the prefix: {@code prefixed() + "/docs/"} is the member's {@code /docs/}. */
  String prefixed() {
    return origin() + PREFIX;
  }

  @Override
  public void close() {
    process.close();
  }
}
