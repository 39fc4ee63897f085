package io.keyway.web;

import static io.keyway.web.WebTestSupport.b64;
import static io.keyway.web.WebTestSupport.unb64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyway.it.KeywayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The web console in headless Chromium, with auth on, behind nginx that mounts the member under {@code /kv/}
 * (so every URL the console uses must be relative). The scenarios build on each other (logged in once, as a
 * person would be), hence the order. Screenshots of the main views go to {@code docs/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private static final String ROOT_PW = "root-secret";
  private static final int BIG = 10_000;
  private static final Path SHOTS = Path.of(System.getProperty("keyway.screenshots", "../docs/screenshots"));

  private static KeywayProcess keyway;
  /** A member with --enable-ui=false, started while the browser starts to save a test the wait. */
  private static CompletableFuture<KeywayProcess> withoutUi;
  private static NginxFront nginx;
  private static HeadlessChromium browser;
  private static String token;

  @BeforeAll
  static void start() throws Exception {
    token = null; // a rerun of the class starts a new member
    keyway = new KeywayProcess("console", "--ws-ping-interval=1s");
    keyway.start();
    withoutUi = CompletableFuture.supplyAsync(() -> {
      KeywayProcess p = new KeywayProcess("noui", "--enable-ui=false");
      p.start();
      return p;
    });
    seed();
    enableAuth();
    nginx = NginxFront.mounted(keyway.clientUrl(), "/kv/", Duration.ofSeconds(5));
    browser = new HeadlessChromium();
  }

  @AfterAll
  static void stop() {
    KeywayProcess plain = withoutUi == null ? null : withoutUi.exceptionally(e -> null).join();
    WebTestSupport.closeAll(browser, nginx, keyway, plain);
  }

  // ---- the member, as other clients see it ----

  private static JsonNode post(String path, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(keyway.clientUrl() + path))
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (token != null) {
      b.header("Authorization", token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body());
  }

  private static long put(String key, String value) throws Exception {
    return post("/v3/kv/put", Map.of("key", b64(key), "value", b64(value))).path("header").path("revision").asLong();
  }

  /** The value of a key now, or null. */
  private static String get(String key) throws Exception {
    JsonNode kvs = post("/v3/kv/range", Map.of("key", b64(key))).path("kvs");
    return kvs.isEmpty() ? null : unb64(kvs.get(0).path("value"));
  }

  /** 10 000 keys under big/ in txns of 100 (etcd's --max-txn-ops is 128), ten at a time so Raft batches them. */
  private static void seed() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < BIG; i += 100) {
      if (sent.size() == 10) {
        awaitAll(sent);
      }
      List<Map<String, Object>> ops = new ArrayList<>();
      for (int j = i; j < i + 100; j++) {
        ops.add(Map.of("request_put", Map.of("key", b64("big/item-%05d".formatted(j)), "value", b64("v" + j))));
      }
      sent.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(keyway.clientUrl() + "/v3/kv/txn"))
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("success", ops)))).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    awaitAll(sent);
    put("app/config", "{\"debug\":false,\"replicas\":3,\"owner\":{\"team\":\"platform\"}}");
    put("app/db/host", "db.internal:5432");
    put("app/db/user", "keyway");
    put("binary", new String(new byte[] {0, 1, 2, (byte) 0xff}, StandardCharsets.ISO_8859_1));
  }

  private static void awaitAll(List<CompletableFuture<HttpResponse<String>>> sent) throws Exception {
    for (CompletableFuture<HttpResponse<String>> r : sent) {
      assertEquals(200, r.get(60, TimeUnit.SECONDS).statusCode(), () -> r.join().body());
    }
    sent.clear();
  }

  /** root (role root) and reader (may only read app/), then auth on; the test's own calls carry root's token. */
  private static void enableAuth() throws Exception {
    post("/v3/auth/role/add", Map.of("name", "root"));
    post("/v3/auth/user/add", Map.of("name", "root", "password", ROOT_PW));
    post("/v3/auth/user/grant", Map.of("user", "root", "role", "root"));
    post("/v3/auth/role/add", Map.of("name", "reader"));
    post("/v3/auth/role/grant", Map.of("name", "reader",
        "perm", Map.of("permType", "READ", "key", b64("app/"), "range_end", b64("app0"))));
    post("/v3/auth/user/add", Map.of("name", "reader", "password", "reader-secret"));
    post("/v3/auth/user/grant", Map.of("user", "reader", "role", "reader"));
    post("/v3/auth/enable", Map.of());
    token = post("/v3/auth/authenticate", Map.of("name", "root", "password", ROOT_PW)).path("token").asText();
  }

  private static String etcdctl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + keyway.clientUrl(),
        "--user=root:" + ROOT_PW, "--dial-timeout=5s", "--command-timeout=10s"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("ETCDCTL_API", "3");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "etcdctl hangs");
    assertEquals(0, p.exitValue(), () -> command + ": " + out);
    return out;
  }

  // ---- the page ----

  private static JsonNode js(String script, Object... args) {
    return browser.eval(script, args);
  }

  /** Waits for a condition of the page; one that cannot be evaluated yet (an element not there) is false. */
  private static JsonNode await(String script, Object... args) {
    try {
      return browser.await("try { " + script + " } catch (e) { return false; }", JsonNode::asBoolean, WAIT, args);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + script + "\npage: " + js("return document.body.innerText"), e);
    }
  }

  private static void click(String selector) {
    await("return !!document.querySelector(arguments[0])", selector);
    js("document.querySelector(arguments[0]).click()", selector);
  }

  private static void type(String selector, String value) {
    await("return !!document.querySelector(arguments[0])", selector);
    js("const e = document.querySelector(arguments[0]); e.value = arguments[1];", selector, value);
  }

  private static String text(String selector) {
    return js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", selector).asText();
  }

  private static void browse(String prefix) {
    js("location.hash = '#keys'");
    type(".browser input[name=prefix]", prefix);
    js("document.querySelector('.browser form').requestSubmit()");
    await("return document.querySelector('#rootlabel').textContent.includes(arguments[0])"
        + " && !document.querySelector('#tree > li.loading')", prefix);
  }

  private static final String ROW = "Array.from(document.querySelectorAll('#tree .row.key'))"
      + ".find(r => r.dataset.key === arguments[0])";

  private static void openKey(String key) {
    await("return !!" + ROW, key);
    js(ROW + ".click()", key);
    await("const page = document.getElementById('keypage'); return !page.hasAttribute('aria-busy')"
        + " && page.querySelector('.keyname').textContent === arguments[0] && !!page.querySelector('#value')", key);
  }

  /** Key rows directly under a folder row (the tree's root for null) and whether a "more…" follows. */
  private static final String FOLDER = """
      (prefix) => {
        let list = document.getElementById('tree');
        if (prefix !== null) {
          const row = Array.from(document.querySelectorAll('#tree .row.dir')).find(r => r.dataset.prefix === prefix);
          if (!row) return {keys: -1};
          list = row.nextElementSibling;
        }
        return {keys: list.querySelectorAll(':scope > li > .row.key').length,
                dirs: list.querySelectorAll(':scope > li > .row.dir').length,
                more: !!list.querySelector(':scope > li.more'), loading: !!list.querySelector(':scope > li.loading')};
      }""";

  private static JsonNode folder(String prefix, java.util.function.Predicate<JsonNode> until) {
    return browser.await("return (" + FOLDER + ")(arguments[0])", until, WAIT, prefix);
  }

  private static void login(String user, String password) {
    type("#username", user);
    type("#password", password);
    js("document.getElementById('login').requestSubmit()");
  }

  private static void shot(String name) {
    browser.screenshot(SHOTS.resolve(name + ".png"));
  }

  // ---- the scenarios ----

  @Test
  @Order(1)
  void logInAndBrowseTenThousandKeysInPages() {
    browser.open(nginx.origin() + "/kv/"); // a browser at the member's root is sent to the console
    await("return document.body.dataset.ready === 'true' && !!document.getElementById('login')");
    assertEquals(nginx.origin() + "/kv/ui/", js("return location.href").asText());
    shot("login");

    login("root", "wrong");
    await("return document.getElementById('loginerror').textContent.length > 0");
    assertEquals("etcdserver: authentication failed, invalid user ID or password", text("#loginerror"));

    login("root", ROOT_PW);
    await("return !!Array.from(document.querySelectorAll('#tree .row.dir')).find(r => r.dataset.prefix === 'big/')");
    assertEquals("", js("return document.cookie").asText()); // the token is no cookie
    assertTrue(js("return sessionStorage.getItem('keyway.console.session')").asText().contains("\"user\":\"root\""));
    JsonNode root = folder(null, n -> !n.path("loading").asBoolean());
    assertEquals(2, root.path("dirs").asInt(), root::toString); // app/, big/
    assertEquals(1, root.path("keys").asInt(), root::toString); // binary

    js("Array.from(document.querySelectorAll('#tree .row.dir')).find(r => r.dataset.prefix === 'big/').click()");
    JsonNode page = folder("big/", n -> n.path("keys").asInt() > 0 && !n.path("loading").asBoolean());
    assertEquals(100, page.path("keys").asInt(), page::toString); // one page, not 10 000 rows
    assertTrue(page.path("more").asBoolean(), page::toString);
    js("document.querySelector('[data-more=\"big/\"]').click()");
    page = folder("big/", n -> n.path("keys").asInt() > 100 && !n.path("loading").asBoolean());
    assertEquals(200, page.path("keys").asInt(), page::toString);
    assertTrue(page.path("more").asBoolean());
    openKey("big/item-00042");
    shot("keys");

    browse("big/item-099"); // search by prefix: item-09900 .. item-09999, exactly one page, no "more"
    JsonNode found = folder(null, n -> n.path("keys").asInt() == 100 || n.path("more").asBoolean());
    assertEquals(100, found.path("keys").asInt(), found::toString);
    assertFalse(found.path("more").asBoolean(), found::toString);
  }

  @Test
  @Order(2)
  void aStaleEditIsRefusedAndShown() throws Exception {
    browse("app/");
    js("Array.from(document.querySelectorAll('#tree .row.dir')).find(r => r.dataset.prefix === 'app/db/').click()");
    await("return !!" + ROW, "app/db/host");
    openKey("app/config");
    assertEquals("{\n  \"debug\": false,\n  \"replicas\": 3,\n  \"owner\": {\n    \"team\": \"platform\"\n  }\n}",
        text("#value")); // pretty JSON
    shot("key");

    click("#edit");
    type("#editor", "{\"debug\":true}");
    etcdctl("put", "app/config", "{\"changed\":\"by etcdctl\"}"); // someone else writes meanwhile
    click("#save");
    await("return document.getElementById('editresult').dataset.state === 'conflict'");
    assertTrue(text("#editresult").startsWith("Refused: app/config was changed by someone else at revision "),
        text("#editresult"));
    assertTrue(text("#editresult").contains("{\"changed\":\"by etcdctl\"}"), text("#editresult"));
    assertEquals("{\"changed\":\"by etcdctl\"}", get("app/config")); // not overwritten
    shot("edit-conflict");

    openKey("app/config"); // what is there now, then an edit that nobody races
    click("#edit");
    type("#editor", "{\"debug\":true}");
    click("#save");
    await("return document.getElementById('notice').textContent.startsWith('Saved app/config at revision')");
    assertEquals("{\"debug\":true}", get("app/config"));
  }

  @Test
  @Order(3)
  void aPutByEtcdctlAppearsWithinASecondAndTheWatchPanelPausesAndResumes() throws Exception {
    browse("live/");
    await("return document.querySelector('.live').classList.contains('on')");
    // the page notes when the row shows up (Selenium's polling would add its own latency)
    js("""
        window.__seen = null;
        new MutationObserver((_, observer) => {
          const row = Array.from(document.querySelectorAll('#tree .row.key')).find(r => r.dataset.key === 'live/one');
          if (row) { window.__seen = Date.now(); observer.disconnect(); }
        }).observe(document.getElementById('tree'), {childList: true, subtree: true});
        """);
    etcdctl("put", "live/one", "1");
    long written = System.currentTimeMillis(); // etcdctl has its answer: the put is committed
    long seen = browser.await("return window.__seen", n -> !n.isNull(), WAIT).asLong();
    assertTrue(seen - written < 1000, () -> "the row appeared " + (seen - written) + " ms after etcdctl's put");
    System.out.println("live/one appeared " + (seen - written) + " ms after etcdctl's put");
    String rowClass = js("return " + ROW + ".className", "live/one").asText();
    assertTrue(rowClass.contains("changed"), rowClass); // highlighted

    js("location.hash = '#watch'");
    type("#watchprefix", "live/");
    click("#watchstart");
    await("return document.getElementById('watchstate').dataset.state === 'live'");
    put("live/two", "2");
    await("return document.querySelectorAll('#events tr').length === 1");
    click("#pause");
    await("return document.getElementById('watchstate').dataset.state === 'stopped'");
    put("live/three", "3");
    put("elsewhere", "x");
    Thread.sleep(300);
    assertEquals(1, js("return document.querySelectorAll('#events tr').length").asInt());
    click("#pause"); // resume: what was written while paused arrives
    await("return document.querySelectorAll('#events tr').length === 2");
    assertEquals("live/three", text("#events tr:first-child td.key"));
    put("live/four", "{\"n\":4}");
    await("return document.querySelectorAll('#events tr').length === 3");
    shot("watch");
  }

  @Test
  @Order(4)
  void historyBackToTheCompactionPointWithADiff() throws Exception {
    long first = put("hist/k", "line1\nline2");
    long second = put("hist/k", "line1\nline2 changed");
    long third = put("hist/k", "line1\nline2 changed\nline3");
    browse("hist/");
    openKey("hist/k");
    click("#history");
    await("return document.getElementById('historyend').textContent.startsWith('End of history')");
    assertEquals(List.of(third, second, first), revisions());
    assertEquals("End of history: created at revision " + first + ".", text("#historyend"));
    js("document.querySelector('#revisions tr[data-revision=\"' + arguments[0] + '\"] input').click();"
        + "document.querySelector('#revisions tr[data-revision=\"' + arguments[1] + '\"] input').click();", first, third);
    click("#compare");
    assertEquals("revision " + first + " → " + third + "  line1\n- line2\n+ line2 changed\n+ line3\n", text("#diff"));
    shot("history");

    post("/v3/kv/compaction", Map.of("revision", String.valueOf(second), "physical", true));
    openKey("hist/k");
    click("#history");
    await("return document.getElementById('historyend').textContent.startsWith('End of history')");
    assertEquals(List.of(third, second), revisions()); // the first revision is gone
    assertTrue(text("#historyend").contains("compacted"), text("#historyend"));
  }

  private static List<Long> revisions() {
    List<Long> revisions = new ArrayList<>();
    js("return Array.from(document.querySelectorAll('#revisions tr')).map(r => Number(r.dataset.revision))")
        .forEach(n -> revisions.add(n.asLong()));
    return revisions;
  }

  @Test
  @Order(5)
  void createThenDeleteAfterConfirmation() throws Exception {
    browse("app/");
    click("#new");
    type("#newkey", "app/db/pool");
    type("#newvalue", "size=10");
    click("#create");
    await("return document.getElementById('notice').textContent.startsWith('Created app/db/pool at revision')");
    assertEquals("size=10", get("app/db/pool"));
    click("#new");
    type("#newkey", "app/config");
    type("#newvalue", "creating never overwrites");
    click("#create");
    await("return document.querySelector('#keypage .result').textContent === 'app/config exists already; open it to edit it.'");
    assertEquals("{\"debug\":true}", get("app/config"));

    js("Array.from(document.querySelectorAll('#tree .row.dir')).find(r => r.dataset.prefix === 'app/db/').click()");
    openKey("app/db/pool"); // the watch put the new key in the tree
    click("#delete");
    assertEquals("size=10", get("app/db/pool")); // asking is not deleting
    click("[data-confirm=yes]");
    await("return document.getElementById('notice').textContent.startsWith('Deleted app/db/pool at revision')");
    assertEquals(null, get("app/db/pool"));
    await("return !" + ROW, "app/db/pool"); // the watch takes the row away
  }

  @Test
  @Order(6)
  void valuesAndKeysThatLookLikeMarkupAreText() throws Exception {
    String key = "xss/<img src=x onerror=\"window.__xssKey=1;alert(2)\">";
    String value = "<img src=x onerror=\"window.__xss=1;alert(1)\"><script>window.__xss=2</script>";
    put(key, value);
    browse("xss/");
    openKey(key);
    for (String mode : List.of("text", "json", "hex")) {
      click("[data-mode=" + mode + "]");
    }
    click("[data-mode=text]");
    assertEquals(value, text("#value"));
    click("#history");
    await("return document.getElementById('historyend').textContent.startsWith('End of history')");
    js("location.hash = '#watch'");
    type("#watchprefix", "xss/");
    click("#watchstart");
    await("return document.getElementById('watchstate').dataset.state === 'live'");
    put(key, value + " again");
    await("return document.querySelectorAll('#events tr').length >= 1");
    Thread.sleep(300); // an image that fails to load would have fired onerror by now
    assertFalse(browser.dialogOpen(), "a value ran as a script");
    assertTrue(js("return window.__xss === undefined && window.__xssKey === undefined").asBoolean());
    assertEquals(0, js("return document.querySelectorAll('main img, main script').length").asInt());
  }

  @Test
  @Order(7)
  void aLeasedKeyShowsItsLeaseAndCountsDown() throws Exception {
    String lease = post("/v3/lease/grant", Map.of("TTL", "90")).path("ID").asText();
    post("/v3/kv/put", Map.of("key", b64("leased/k"), "value", b64("v"), "lease", lease));
    browse("leased/");
    openKey("leased/k");
    await("return /^\\d+s$/.test(document.getElementById('ttl').textContent)");
    long first = Long.parseLong(text("#ttl").replace("s", ""));
    assertTrue(first > 0 && first <= 90, text("#ttl"));
    assertTrue(text("#keypage .meta").contains("lease " + Long.toHexString(Long.parseLong(lease))), text("#keypage .meta"));
    await("return Number(document.getElementById('ttl').textContent.replace('s', '')) < arguments[0]", first);
  }

  @Test
  @Order(8)
  void clusterView() {
    js("location.hash = '#cluster'");
    await("const r = document.querySelector('#members tr'); return !!r && r.children[3].textContent === 'leader'");
    JsonNode row = js("return Array.from(document.querySelector('#members tr').children).map(c => c.textContent)");
    assertEquals("console", row.get(0).asText());
    assertTrue(row.get(4).asLong() > BIG / 100, row::toString); // revision
    assertTrue(row.get(5).asLong() > 0, row::toString); // raft index
    assertEquals("ok", row.get(10).asText(), row::toString);
    await("return document.getElementById('alarms').textContent === 'none'");
    shot("cluster");
  }

  @Test
  @Order(9)
  void aUserSeesWhatItMayReadAndGetsThePermissionErrorForWrites() {
    js("location.hash = '#keys'");
    click("#logout");
    await("return !!document.getElementById('login')");
    login("reader", "reader-secret");
    // the console starts at what the user may read
    await("return document.querySelector('#rootlabel').textContent.includes('app/') && !!" + ROW, "app/config");
    openKey("app/config");
    click("#edit");
    type("#editor", "{\"debug\":\"reader\"}");
    click("#save");
    await("return document.getElementById('editresult').textContent.length > 0");
    assertEquals("etcdserver: permission denied", text("#editresult"));
    browse("big/");
    await("return !!document.querySelector('#tree li.error')");
    assertEquals("etcdserver: permission denied", text("#tree li.error"));
  }

  @Test
  @Order(10)
  void enableUiFalseAnswers404() throws Exception {
    KeywayProcess plain = withoutUi.get(60, TimeUnit.SECONDS);
    for (String path : List.of("/ui/", "/ui/app.js", "/")) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(plain.clientUrl() + path))
          .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, r.statusCode(), path);
      assertEquals("404 page not found\n", r.body(), path);
    }
    HttpResponse<String> on = HTTP.send(HttpRequest.newBuilder(URI.create(nginx.origin() + "/kv/"))
        .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(302, on.statusCode());
    assertEquals("ui/", on.headers().firstValue("Location").orElse(""));
  }
}
