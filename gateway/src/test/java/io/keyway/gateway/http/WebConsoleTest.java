package io.keyway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.ServerFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's routes on a client port: its files, their security headers, the redirect of {@code /}, the flag. */
class WebConsoleTest {
  private static final String CHROME_ACCEPT =
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
  private static final Path SOURCES = Path.of("src", "main", "resources", "io", "keyway", "gateway", "web", "ui");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private static FakeMember member;
  private static ServerFixture on;
  private static ServerFixture off;

  @BeforeAll
  static void start() throws Exception {
    member = new FakeMember();
    on = ServerFixture.serve(member, member, member);
    off = ServerFixture.serve(member, member, member, "--enable-ui=false");
  }

  @AfterAll
  static void stop() {
    on.close();
    off.close();
  }

  private static HttpResponse<String> send(ServerFixture server, String method, String path, String accept)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (accept != null) {
      b.header("Accept", accept);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("");
  }

  @Test
  void indexIsServedWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> r = send(on, "GET", "/ui/", CHROME_ACCEPT);
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=utf-8", header(r, "Content-Type"));
    assertEquals(Files.readString(SOURCES.resolve("index.html")), r.body());
    String csp = header(r, "Content-Security-Policy");
    assertTrue(csp.startsWith("default-src 'none'; script-src 'self'; style-src 'self';"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval") || csp.contains("*"), csp);
    assertEquals("nosniff", header(r, "X-Content-Type-Options"));
    assertEquals("DENY", header(r, "X-Frame-Options"));
    assertEquals("no-referrer", header(r, "Referrer-Policy"));
    // every script of the page is a file the policy allows: none is inline
    Matcher script = Pattern.compile("<script([^>]*)>").matcher(r.body());
    while (script.find()) {
      assertTrue(script.group(1).contains(" src=\""), script.group());
    }
    assertFalse(r.body().matches("(?s).*\\son[a-z]+\\s*=.*"), "inline event handlers");
  }

  @Test
  void everyFileOfTheConsoleIsServedFromItsSource() throws Exception {
    try (var files = Files.list(SOURCES)) {
      assertEquals(WebConsole.FILES.stream().sorted().toList(),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "WebConsole.FILES lists every file");
    }
    for (String file : WebConsole.FILES) {
      HttpResponse<String> r = send(on, "GET", "/ui/" + file, null);
      assertEquals(200, r.statusCode(), file);
      assertEquals(Files.readString(SOURCES.resolve(file)), r.body(), file);
      String type = header(r, "Content-Type");
      assertTrue(type.startsWith(file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css"
          : "text/html"), file + ": " + type);
      assertTrue(header(r, "Content-Security-Policy").contains("script-src 'self'"), file);
    }
    HttpResponse<String> head = send(on, "HEAD", "/ui/app.js", null);
    assertEquals(200, head.statusCode());
    assertEquals(String.valueOf(Files.size(SOURCES.resolve("app.js"))), header(head, "Content-Length"));
  }

  /** No CDN and no absolute paths: behind a proxy that mounts the member at /kv/, /kv/ui/ must load /kv/keyway.js. */
  @Test
  void scriptsImportOnlyRelativeModules() throws IOException {
    Pattern imports = Pattern.compile("(?m)^import\\s[^;]*?from\\s+'([^']+)'|import\\('([^']+)'\\)");
    for (String file : WebConsole.FILES) {
      if (!file.endsWith(".js")) {
        continue;
      }
      String source = Files.readString(SOURCES.resolve(file));
      Matcher m = imports.matcher(source);
      while (m.find()) {
        String target = m.group(1) != null ? m.group(1) : m.group(2);
        assertTrue(target.startsWith("./") || target.equals("../keyway.js"), file + " imports " + target);
      }
      assertFalse(source.contains("innerHTML") || source.contains("outerHTML") || source.contains("insertAdjacentHTML")
          || source.contains("document.write"), file + " builds markup from strings");
      assertFalse(source.contains("http://") || source.contains("https://"), file + " names an absolute URL");
    }
  }

  @Test
  void browsersAreSentFromTheRootToTheConsole() throws Exception {
    HttpResponse<String> r = send(on, "GET", "/", CHROME_ACCEPT);
    assertEquals(302, r.statusCode());
    assertEquals("ui/", header(r, "Location")); // relative: a proxy's path prefix is kept
    HttpResponse<String> bare = send(on, "GET", "/ui", CHROME_ACCEPT);
    assertEquals(301, bare.statusCode());
    assertEquals("ui/", header(bare, "Location"));
  }

  /** What etcd answers at / (Go's 404) stays the answer for everything that is not a browser's GET. */
  @ParameterizedTest
  @ValueSource(strings = {"GET */*", "GET -", "GET application/json", "GET text/html;q=0", "POST text/html",
      "PUT text/html", "DELETE text/html"})
  void apiClientsStillGetEtcds404AtTheRoot(String spec) throws Exception {
    String[] parts = spec.split(" ", 2);
    HttpResponse<String> r = send(on, parts[0], "/", parts[1].equals("-") ? null : parts[1]);
    assertEquals(404, r.statusCode(), spec);
    assertEquals("404 page not found\n", r.body(), spec);
    assertEquals("text/plain; charset=utf-8", header(r, "Content-Type"));
  }

  @Test
  void unknownFilesAndOtherMethods() throws Exception {
    HttpResponse<String> missing = send(on, "GET", "/ui/nothing.js", null);
    assertEquals(404, missing.statusCode());
    assertEquals("404 page not found\n", missing.body());
    HttpResponse<String> post = send(on, "POST", "/ui/app.js", null);
    assertEquals(405, post.statusCode());
    assertEquals("GET", header(post, "Allow"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/ui/", "/ui/index.html", "/ui/app.js", "/ui", "/docs/", "/docs", "/docs/keyway-docs.js"})
  void disabledConsoleIsNotThere(String path) throws Exception {
    HttpResponse<String> r = send(off, "GET", path, CHROME_ACCEPT);
    assertEquals(404, r.statusCode(), path);
    assertEquals("404 page not found\n", r.body());
    assertEquals("", header(r, "Content-Security-Policy"));
  }

  @Test
  void disabledConsoleLeavesTheRootAlone() throws Exception {
    assertEquals(404, send(off, "GET", "/", CHROME_ACCEPT).statusCode());
    assertEquals(200, send(off, "GET", "/keyway.js", null).statusCode()); // the library is not part of the console
    assertEquals(200, send(off, "GET", "/openapi.json", null).statusCode()); // nor is the contract: tools read it
  }

  @Test
  void acceptHeaders() {
    assertTrue(WebConsole.acceptsHtml(CHROME_ACCEPT));
    assertTrue(WebConsole.acceptsHtml("application/xhtml+xml"));
    assertTrue(WebConsole.acceptsHtml("TEXT/HTML; q=0.5"));
    assertFalse(WebConsole.acceptsHtml(null));
    assertFalse(WebConsole.acceptsHtml("*/*"));
    assertFalse(WebConsole.acceptsHtml("text/html;q=0"));
    assertFalse(WebConsole.acceptsHtml("text/plain, application/json"));
  }

  @Test
  void policyNamesOnlyPlainMemberOrigins() {
    assertEquals("http://10.0.0.2:2379", WebConsole.origin("http://10.0.0.2:2379"));
    assertEquals("https://node-1.example:443", WebConsole.origin("https://node-1.example:443/some/path?q"));
    assertEquals("http://[::1]:2379", WebConsole.origin("http://[::1]:2379"));
    assertNull(WebConsole.origin("unix://socket"));
    assertNull(WebConsole.origin("http://a b"));
    assertNull(WebConsole.origin("not a url; script-src *"));
  }
}
