package io.keyway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyway.gateway.testing.FakeMember;
import io.keyway.gateway.testing.ServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /openapi.json} and Swagger UI under {@code /docs/}, against an in-memory member. */
class ApiDocsRoutesTest {
  private static final Path CONTRACT = Path.of("..", "openapi", "keyway-openapi.json");
  private static final HttpClient HTTP = HttpClient.newHttpClient(); // follows no redirect
  private static FakeMember member;
  private static ServerFixture server;

  @BeforeAll
  static void start() throws Exception {
    member = new FakeMember();
    server = ServerFixture.serve(member, member, member, "--election-timeout", "500", "--heartbeat-interval", "50");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(path)))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("");
  }

  @Test
  void servesTheContractFromItsOneSourceFile() throws Exception {
    HttpResponse<String> r = send("GET", "/openapi.json");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", header(r, "Content-Type"));
    assertEquals("*", header(r, "Access-Control-Allow-Origin")); // as every route: etcd's default --cors=*
    assertEquals(Files.readString(CONTRACT), r.body());
  }

  @Test
  void contractNamesTheServingMemberAndTheTokenHeader() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(send("GET", "/openapi.json").body());
    assertEquals(1, doc.path("servers").size());
    assertEquals(".", doc.path("servers").path(0).path("url").asText(), "relative: the document's own location");
    JsonNode token = doc.path("components").path("securitySchemes").path("etcdToken");
    assertEquals("apiKey", token.path("type").asText(), token::toString);
    assertEquals("header", token.path("in").asText());
    assertEquals("Authorization", token.path("name").asText());
    List<String> requirements = new ArrayList<>();
    doc.path("security").forEach(req -> requirements.add(req.toString()));
    assertEquals(List.of("{}", "{\"etcdToken\":[]}"), requirements, "optional: auth may be off");
  }

  @Test
  void headAnswersTheLengthWithoutTheBody() throws Exception {
    HttpResponse<String> r = send("HEAD", "/openapi.json");
    assertEquals(200, r.statusCode());
    assertEquals(Long.toString(Files.size(CONTRACT)), header(r, "Content-Length"));
    assertEquals("", r.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST /openapi.json", "PUT /openapi.json", "DELETE /docs/", "POST /docs",
      "POST /docs/swagger-ui.css"})
  void onlyGetAndHead(String request) throws Exception {
    String[] parts = request.split(" ");
    HttpResponse<String> r = send(parts[0], parts[1]);
    assertEquals(405, r.statusCode());
    assertEquals("GET", header(r, "Allow"));
    assertEquals("Method Not Allowed\n", r.body());
  }

  @Test
  void unchangedFileIsRevalidatedWithA304() throws Exception {
    HttpResponse<String> first = send("GET", "/docs/swagger-ui-bundle.js");
    String etag = header(first, "ETag");
    assertTrue(etag.startsWith("\""), etag);
    assertEquals("no-cache", header(first, "Cache-Control"));
    HttpResponse<String> again = send("GET", "/docs/swagger-ui-bundle.js", "If-None-Match", etag);
    assertEquals(304, again.statusCode());
    assertEquals("", again.body());
    assertEquals(200, send("GET", "/docs/swagger-ui-bundle.js", "If-None-Match", "\"other\"").statusCode());
  }

  @Test
  void docsRedirectsRelativelyToDocsSlash() throws Exception {
    HttpResponse<String> r = send("GET", "/docs?x=1");
    assertEquals(301, r.statusCode());
    // relative, so that behind a proxy at /prefix/ the browser stays under /prefix/docs/
    assertEquals("docs/?x=1", header(r, "Location"));
  }

  @Test
  void pageHasAStrictPolicyAndOnlyRelativeUrls() throws Exception {
    HttpResponse<String> r = send("GET", "/docs/");
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=utf-8", header(r, "Content-Type"));
    String csp = header(r, "Content-Security-Policy");
    assertEquals(ApiDocsRoutes.CSP.toString(), csp);
    assertTrue(csp.contains("script-src 'self';") && !csp.contains("unsafe"), csp);
    assertEquals("nosniff", header(r, "X-Content-Type-Options"));
    assertEquals(r.body(), send("GET", "/docs/index.html").body());

    Matcher scripts = Pattern.compile("<script([^>]*)>([^<]*)</script>").matcher(r.body());
    List<String> sources = new ArrayList<>();
    while (scripts.find()) {
      assertEquals("", scripts.group(2).strip(), "inline script: " + scripts.group());
      sources.add(scripts.group(1).strip());
    }
    assertEquals(List.of("src=\"swagger-ui-bundle.js\"", "src=\"keyway-docs.js\""), sources);
    assertFalse(r.body().contains("<style") || r.body().contains("style="), "inline style");
    Matcher urls = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(r.body());
    while (urls.find()) {
      String url = urls.group(1);
      assertFalse(url.startsWith("/") || url.contains(":"), "not relative: " + url);
      assertEquals(200, send("GET", "/docs/" + url).statusCode(), url); // and served: nothing from a CDN
    }
  }

  @Test
  void initializerReadsTheContractRelativelyAndStaysOnTheMember() throws Exception {
    HttpResponse<String> r = send("GET", "/docs/keyway-docs.js");
    assertEquals(200, r.statusCode());
    assertEquals("text/javascript; charset=utf-8", header(r, "Content-Type"));
    assertEquals(ApiDocsRoutes.CSP.toString(), header(r, "Content-Security-Policy"));
    assertTrue(r.body().contains("new URL('../openapi.json', document.baseURI)"), r.body());
    assertTrue(r.body().contains("validatorUrl: null"), "the default validator is a remote service");
    assertTrue(r.body().contains("queryConfigEnabled: false"));
    assertFalse(r.body().contains("://"), "no absolute URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"swagger-ui-bundle.js text/javascript; charset=utf-8",
      "swagger-ui.css text/css; charset=utf-8", "keyway-docs.css text/css; charset=utf-8",
      "favicon-32x32.png image/png", "swagger-ui-bundle.js.LICENSE.txt text/plain; charset=utf-8"})
  void vendoredFilesAreServedWithTheirTypes(String spec) throws Exception {
    int space = spec.indexOf(' ');
    HttpResponse<String> r = send("GET", "/docs/" + spec.substring(0, space));
    assertEquals(200, r.statusCode());
    assertEquals(spec.substring(space + 1), header(r, "Content-Type"));
    assertFalse(r.body().isEmpty());
  }

  @Test
  void swaggerUiIsThePinnedBundle() throws Exception {
    String bundle = send("GET", "/docs/swagger-ui-bundle.js").body();
    assertTrue(bundle.length() > 1_000_000, "length " + bundle.length());
    assertTrue(bundle.contains("SwaggerUIBundle"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/docs/nope.js", "/docs/swagger-ui.js", "/docs/sub/index.html"})
  void otherPathsUnderDocsAre404(String path) throws Exception {
    HttpResponse<String> r = send("GET", path);
    assertEquals(404, r.statusCode());
    assertEquals("404 page not found\n", r.body());
    assertEquals(ApiDocsRoutes.CSP.toString(), header(r, "Content-Security-Policy"));
  }
}
