package io.keyway.gateway.testing;

import io.keyway.gateway.KeywayServer;
import io.keyway.gateway.config.Cli;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;
import io.keyway.raft.MemberView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Keyway client listener on a free port in front of a given member, plus an HTTP/1.1 client. */
public final class ServerFixture implements AutoCloseable {
  public final int port;
  public final KeywayServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ServerFixture(int port, KeywayServer server) {
    this.port = port;
    this.server = server;
  }

  /** Serves {@code member} with etcd's defaults plus {@code extraFlags}. */
  public static ServerFixture serve(EtcdKv kv, MemberView view, AutoCloseable node, String... extraFlags)
      throws Exception {
    return serve(kv, null, view, node, extraFlags);
  }

  /** Serves {@code member} and its Lease service with etcd's defaults plus {@code extraFlags}. */
  public static ServerFixture serve(EtcdKv kv, EtcdLease lease, MemberView view, AutoCloseable node,
      String... extraFlags) throws Exception {
    int port = FreePorts.next();
    String url = "http://127.0.0.1:" + port;
    List<String> args = new ArrayList<>(List.of("--listen-client-urls", url, "--advertise-client-urls", url));
    args.addAll(List.of(extraFlags));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli.Outcome outcome = Cli.parse(args.toArray(String[]::new), Map.of(), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    if (!(outcome instanceof Cli.Outcome.Run run)) {
      throw new IllegalArgumentException("bad flags " + args + ": " + err);
    }
    return new ServerFixture(port, KeywayServer.serve(run.config(), kv, lease, view, node));
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  public HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }

  public HttpResponse<String> post(String path, String body) {
    return send("POST", path, body);
  }

  public HttpResponse<String> get(String path) {
    return send("GET", path, null);
  }

  @Override
  public void close() {
    server.close();
  }
}
