package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain HTTP/1.1 client for the JSON gateway; it sends no Content-Type unless asked, like a bare curl. */
final class HttpJson {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final String baseUrl;

  HttpJson(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  HttpResult post(String path, String body) {
    return send("POST", path, body, null);
  }

  HttpResult post(String path, JsonNode body) {
    return send("POST", path, body.toString(), null);
  }

  HttpResult post(String path, String body, String contentType) {
    return send("POST", path, body, contentType);
  }

  /** POST with extra request headers (e.g. {@code Authorization}). */
  HttpResult post(String path, String body, java.util.Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach(request::header);
    return exchange(request.build(), "POST " + path);
  }

  HttpResult get(String path) {
    return send("GET", path, null, null);
  }

  /** POSTs and insists on 200, returning the parsed body: for the setup steps of a test. */
  JsonNode ok(String path, JsonNode body) {
    HttpResult result = post(path, body);
    assertEquals(200, result.status(), () -> "POST " + path + " " + body + " -> " + result);
    return result.json();
  }

  /** POST with {@code Transfer-Encoding: chunked} (no Content-Length), optionally announcing Expect: 100-continue. */
  HttpResult postChunked(String path, String body, boolean expectContinue) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(60))
        .expectContinue(expectContinue)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
        .build();
    return exchange(request, "POST " + path);
  }

  HttpResult send(String method, String path, String body, String contentType) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return exchange(request.build(), method + " " + path);
  }

  private HttpResult exchange(HttpRequest request, String what) {
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new HttpResult(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new AssertionErrorWithCause(what + " to " + baseUrl + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** An I/O failure talking to the server is a test failure (e.g. the server closed the connection or hung). */
  static final class AssertionErrorWithCause extends AssertionError {
    private static final long serialVersionUID = 1L;

    AssertionErrorWithCause(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
