package io.keyway.web;

import static io.keyway.web.WebTestSupport.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyway.it.KeywayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

/**
 * The member's API documentation in a real browser: Swagger UI at {@code /docs/}, reached through nginx under a
 * path prefix, renders the contract's operations, and its "Try it out" of a range reaches the member through
 * that prefix and shows the member's answer; with auth enabled, the same call succeeds after "Authorize" with a
 * token. The page runs under its strict Content-Security-Policy: the browser reports no violation.
 */
class SwaggerUiIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  // HTTP/1.1 as browsers speak it through nginx (no h2c upgrade offer for nginx to pass on)
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  /** Written for the README: the range operation after a successful "Try it out". */
  private static final Path SCREENSHOT = Path.of("..", "docs", "screenshots", "swagger-ui.png");
  private static final String RANGE = "#operations-KV-KV_Range_v3_kv_range";

  private static KeywayProcess keyway;
  private static NginxFront nginx;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() {
    keyway = new KeywayProcess("docs");
    keyway.start();
    nginx = new NginxFront(keyway.clientUrl(), Duration.ofSeconds(30));
    browser = new HeadlessChromium();
  }

  @AfterAll
  static void stop() {
    WebTestSupport.closeAll(browser, nginx, keyway);
  }

  /** A call straight to the member, as another client would make it. */
  private static JsonNode post(String path, Map<String, Object> body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(keyway.clientUrl() + path))
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (token != null) {
      request.header("Authorization", token);
    }
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
    return JSON.readTree(r.body());
  }

  /** Opens /docs (no slash) under the prefix and waits for Swagger UI to render the contract's operations. */
  private static void openDocs() {
    browser.open(nginx.prefixed() + "/docs");
    browser.await("return document.querySelectorAll('.opblock').length", n -> n.asInt() > 0, WAIT);
  }

  /** Opens the range operation, switches it to "Try it out" and executes it with the body given. */
  private static JsonNode tryRange(String body) {
    browser.eval("document.querySelector(arguments[0] + ' .opblock-summary-control').click()", RANGE);
    browser.await("return !!document.querySelector(arguments[0] + ' .try-out__btn')", JsonNode::asBoolean, WAIT,
        RANGE);
    browser.eval("document.querySelector(arguments[0] + ' .try-out__btn').click()", RANGE);
    browser.await("return !!document.querySelector(arguments[0] + ' textarea.body-param__text')",
        JsonNode::asBoolean, WAIT, RANGE);
    // typed as a person would, so Swagger UI (React) sees the edit
    browser.find(RANGE + " textarea.body-param__text").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE, body);
    return execute();
  }

  /** Clicks "Execute" of the range operation and returns the response Swagger UI shows. */
  private static JsonNode execute() {
    // "Clear" drops the previous response first, so the one awaited below is the new call's
    browser.eval("const clear = document.querySelector(arguments[0] + ' button.btn-clear');"
        + "if (clear) clear.click()", RANGE);
    browser.await("return !document.querySelector(arguments[0] + ' .live-responses-table')", JsonNode::asBoolean,
        WAIT, RANGE);
    browser.eval("document.querySelector(arguments[0] + ' button.execute').click()", RANGE);
    return browser.await("const b = document.querySelector(arguments[0]);"
        + "const status = b.querySelector('.live-responses-table tbody .response-col_status');"
        + "const body = b.querySelector('.live-responses-table tbody .response-col_description pre');"
        + "const url = b.querySelector('.request-url pre');"
        + "return status && body ? {status: status.innerText.trim(), body: body.innerText,"
        + " url: url ? url.innerText.trim() : null} : null", n -> !n.isNull(), WAIT, RANGE);
  }

  @Test
  void docsRendersEveryOperationOfTheContractUnderTheProxyPrefix() throws Exception {
    openDocs();
    assertEquals("/kw/docs/", browser.eval("return location.pathname").asText(), "followed the relative redirect");
    HttpResponse<String> contract = HTTP.send(HttpRequest.newBuilder(URI.create(nginx.prefixed() + "/openapi.json"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, contract.statusCode());
    int operations = 0;
    for (JsonNode path : JSON.readTree(contract.body()).path("paths")) {
      operations += path.size();
    }
    int expected = operations;
    JsonNode rendered = browser.await("return document.querySelectorAll('.opblock').length",
        n -> n.asInt() >= expected, WAIT);
    assertEquals(operations, rendered.asInt());
    assertEquals("/v3/kv/range", browser.eval("return document.querySelector(arguments[0] + "
        + "' .opblock-summary-path').getAttribute('data-path')", RANGE).asText());
    assertNoPolicyViolation();
  }

  @Test
  void tryItOutOfARangeReachesTheMemberThroughThePrefix() throws Exception {
    post("/v3/kv/put", Map.of("key", b64("docs/hello"), "value", b64("from the member")), null);
    openDocs();
    JsonNode shown = tryRange("{\"key\": \"" + b64("docs/hello") + "\"}");
    assertEquals("200", shown.path("status").asText(), shown::toString);
    assertEquals(nginx.prefixed() + "/v3/kv/range", shown.path("url").asText(), "the relative server");
    JsonNode body = JSON.readTree(shown.path("body").asText());
    assertEquals("1", body.path("count").asText(), shown::toString);
    assertEquals(b64("from the member"), body.path("kvs").path(0).path("value").asText(), shown::toString);

    browser.eval("document.querySelector(arguments[0] + ' button.execute').scrollIntoView()", RANGE);
    browser.screenshot(SCREENSHOT);
    assertNoPolicyViolation();
  }

  @Test
  void withAuthEnabledARangeSucceedsAfterAuthorize() throws Exception {
    post("/v3/kv/put", Map.of("key", b64("docs/secret"), "value", b64("for root")), null);
    post("/v3/auth/user/add", Map.of("name", "root", "password", "rootpw"), null);
    post("/v3/auth/user/grant", Map.of("user", "root", "role", "root"), null);
    post("/v3/auth/enable", Map.of(), null);
    String token = post("/v3/auth/authenticate", Map.of("name", "root", "password", "rootpw"), null)
        .path("token").asText();
    try {
      openDocs();
      JsonNode refused = tryRange("{\"key\": \"" + b64("docs/secret") + "\"}");
      assertEquals("400", refused.path("status").asText(), refused::toString);
      assertTrue(refused.path("body").asText().contains("etcdserver: user name is empty"), refused::toString);

      browser.eval("document.querySelector('.auth-wrapper button.authorize').click()");
      browser.await("return !!document.querySelector('.modal-ux input')", JsonNode::asBoolean, WAIT);
      browser.find(".modal-ux input").sendKeys(token);
      browser.eval("document.querySelector('.modal-ux .auth-btn-wrapper button.authorize').click()");
      browser.await("return !!document.querySelector('.modal-ux .auth-btn-wrapper button.btn-done')",
          JsonNode::asBoolean, WAIT);
      browser.eval("document.querySelector('.modal-ux .auth-btn-wrapper button.btn-done').click()");

      JsonNode shown = execute();
      assertEquals("200", shown.path("status").asText(), shown::toString);
      assertEquals(b64("for root"), JSON.readTree(shown.path("body").asText()).path("kvs").path(0).path("value")
          .asText(), shown::toString);
      assertNoPolicyViolation();
    } finally {
      post("/v3/auth/disable", Map.of(), token); // the other tests run without auth
    }
  }

  private static void assertNoPolicyViolation() {
    browser.eval("console.error('console probe')");
    List<String> messages = browser.consoleMessages();
    assertTrue(messages.stream().anyMatch(m -> m.contains("console probe")), "the console is not collected");
    List<String> violations = messages.stream()
        .filter(m -> m.contains("Content Security Policy") || m.contains("Content-Security-Policy")).toList();
    assertEquals(List.of(), violations);
  }
}
