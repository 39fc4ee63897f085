package io.keyway.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** v2 requests as its clients send them: form bodies, long-polls that stay open, streams read line by line. */
final class V2Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private final String baseUrl;

  V2Http(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  private HttpRequest request(String method, String pathAndQuery, String form) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
        .timeout(Duration.ofSeconds(30))
        .method(method, form == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded");
    }
    return b.build();
  }

  /** @param form an urlencoded body, or null for none */
  HttpResult send(String method, String pathAndQuery, String form) {
    return send(method, pathAndQuery, form, null);
  }

  /** @param authorization the Authorization header, or null for none */
  HttpResult send(String method, String pathAndQuery, String form, String authorization) {
    try {
      HttpRequest request = request(method, pathAndQuery, form);
      if (authorization != null) {
        request = HttpRequest.newBuilder(request, (k, v) -> true).header("Authorization", authorization).build();
      }
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new HttpResult(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new HttpJson.AssertionErrorWithCause(method + " " + pathAndQuery + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A long-poll: completes when the server answers. */
  CompletableFuture<HttpResult> sendAsync(String pathAndQuery) {
    HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(60)).GET()
        .build();
    return CLIENT.sendAsync(r, HttpResponse.BodyHandlers.ofString())
        .thenApply(resp -> new HttpResult(resp.statusCode(), resp.headers(), resp.body()));
  }

  /** A streaming watch: its lines as they come (close the stream to hang up). */
  HttpResponse<Stream<String>> lines(String pathAndQuery) {
    HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).GET().build();
    try {
      return CLIENT.send(r, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw new HttpJson.AssertionErrorWithCause("GET " + pathAndQuery + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
