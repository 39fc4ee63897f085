package io.keyway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue #15's row: {@code polls} v2 long-polls ({@code GET /v2/keys/<key>?wait=true}, one HTTP/1.1 connection
 * each) parked on one key, then one write to it. Measures the server's RSS growth while they are parked (the
 * server's own {@code /v2/stats/store} must count every one as a watcher first) and the time from sending the
 * write to the last long-poll's complete answer. Every poll must be answered with that write's {@code set}
 * event, or the run fails.
 */
final class V2LongPolls {
  private static final String KEY = "/v2/keys/bench/longpoll";

  private final Vertx vertx;
  private final Server server;
  private final int polls;
  private final long settleMillis;
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong lastAnswerNanos = new AtomicLong();
  private final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private volatile long writeSentNanos;
  private volatile LatencyHistogram latency = new LatencyHistogram();

  V2LongPolls(Vertx vertx, Server server, int polls, long settleMillis) {
    this.vertx = vertx;
    this.server = server;
    this.polls = polls;
    this.settleMillis = settleMillis;
  }

  /** [0] time to answer every poll (ms), [1] RSS growth per 1 000 parked polls (MiB). */
  Side[] run() throws BenchException {
    Side time = new Side();
    Side memory = new Side();
    Meter meter = new Meter(List.of(server));
    HttpClientAgent pollers = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout(30_000), new PoolOptions().setHttp1MaxSize(polls + 8));
    HttpClientAgent writer = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout(10_000), new PoolOptions().setHttp1MaxSize(1));
    try {
      send(writer, HttpMethod.PUT, KEY, "value=before").await(30, TimeUnit.SECONDS);
      String value = "v" + System.nanoTime();
      Server.sleepMillis(settleMillis);
      int baseline = watchers(writer);
      double rssBefore = meter.rss();
      long parkStart = System.nanoTime();
      park(pollers, value);
      awaitWatchers(writer, baseline + polls);
      double parkSeconds = (System.nanoTime() - parkStart) / 1e9;
      Server.sleepMillis(settleMillis);
      double rssWith = meter.rss();
      server.checkAlive();

      meter.begin();
      writeSentNanos = System.nanoTime();
      Future<String> ack = send(writer, HttpMethod.PUT, KEY, "value=" + value);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (answered.get() < polls && System.nanoTime() < deadline) {
        Server.sleepMillis(2);
      }
      meter.end();
      ack.await(30, TimeUnit.SECONDS);
      server.checkAlive();
      if (answered.get() < polls) {
        problems.add("only " + answered.get() + " of " + polls + " long-polls were answered within 120 s");
      }
      double allMillis = (lastAnswerNanos.get() - writeSentNanos) / 1e6;
      time.value = Meter.round2(allMillis);
      time.ops = answered.get();
      time.p50Ms = Meter.round2(latency.percentileMillis(0.50));
      time.p99Ms = Meter.round2(latency.percentileMillis(0.99));
      meter.fill(time, answered.get());
      time.extra.put("longPolls", polls);
      time.extra.put("parkSeconds", Meter.round2(parkSeconds));
      memory.value = Meter.round2((rssWith - rssBefore) * 1000.0 / polls);
      memory.extra.put("longPolls", polls);
      memory.extra.put("rssBeforeMib", Meter.round1(rssBefore));
      memory.extra.put("rssWithPollsMib", Meter.round1(rssWith));
      memory.loadAvgStart = time.loadAvgStart;
      memory.loadAvgEnd = time.loadAvgStart;
      int left = watchers(writer);
      time.extra.put("watchersAfter", left);
      if (left != baseline) {
        problems.add(left + " watchers left after every poll was answered (baseline " + baseline + ")");
      }
      for (Side side : new Side[] {time, memory}) {
        side.errors = (long) problems.size();
        problems.stream().limit(5).forEach(side.errorSamples::add);
      }
      return new Side[] {time, memory};
    } catch (BenchException e) {
      throw e;
    } catch (Exception e) {
      throw new BenchException("v2 long-polls: " + e, e);
    } finally {
      try {
        pollers.close().await(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // the run is over; the driver's Vert.x closes what is left
      }
      writer.close();
    }
  }

  /** Opens every poll, at most 256 connection attempts at a time. */
  private void park(HttpClientAgent pollers, String value) throws BenchException {
    Semaphore connecting = new Semaphore(256);
    for (int i = 0; i < polls; i++) {
      try {
        if (!connecting.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new BenchException("long-poll connections stalled at " + i + " of " + polls);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted");
      }
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
          .setPort(server.clientPort).setURI(KEY + "?wait=true").setIdleTimeout(0);
      pollers.request(options).onComplete(ar -> {
        if (ar.failed()) {
          connecting.release();
          problems.add("long-poll not sent: " + ar.cause());
          return;
        }
        HttpClientRequest req = ar.result();
        req.response().compose(resp -> resp.body().map(body -> resp.statusCode() + " " + body))
            .onComplete(answer -> answered(answer.succeeded() ? answer.result() : "failed: " + answer.cause(),
                value));
        req.end().onComplete(sent -> connecting.release());
      });
    }
  }

  private void answered(String answer, String value) {
    long now = System.nanoTime();
    long sent = writeSentNanos;
    if (sent == 0) {
      problems.add("a long-poll was answered before the write: " + answer);
    } else {
      latency.record(now - sent);
    }
    if (!answer.startsWith("200 ") || !answer.contains("\"action\":\"set\"") || !answer.contains(value)) {
      problems.add("unexpected long-poll answer: " + answer);
    }
    lastAnswerNanos.accumulateAndGet(now, Math::max);
    answered.incrementAndGet();
  }

  private void awaitWatchers(HttpClientAgent client, int expected) throws BenchException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    int seen = -1;
    BenchException unanswered = null;
    while (System.nanoTime() < deadline) {
      try {
        seen = watchers(client);
        unanswered = null;
      } catch (BenchException e) {
        // while thousands of connections are being accepted one status request may wait its 30 s out (seen
        // once in CI); the deadline still ends a server that never answers
        unanswered = e;
        Server.sleepMillis(100);
        continue;
      }
      if (seen >= expected) {
        return;
      }
      if (!problems.isEmpty()) {
        throw new BenchException("parking long-polls failed: " + problems.peek());
      }
      Server.sleepMillis(100);
    }
    if (unanswered != null) {
      throw unanswered;
    }
    throw new BenchException("the server counts " + seen + " v2 watchers, expected " + expected);
  }

  /** The server's own count of parked v2 watchers. */
  private int watchers(HttpClientAgent client) throws BenchException {
    try {
      String stats = send(client, HttpMethod.GET, "/v2/stats/store", null).await(30, TimeUnit.SECONDS);
      JsonNode json = BenchMain.JSON.readTree(stats);
      return json.path("watchers").asInt(-1);
    } catch (Exception e) {
      throw new BenchException("GET /v2/stats/store failed: " + e, e);
    }
  }

  /** A v2 request with a form body; the body of a 2xx answer. */
  private Future<String> send(HttpClientAgent client, HttpMethod method, String uri, String form) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.clientPort)
        .setURI(uri);
    if (form != null) {
      options.putHeader("Content-Type", "application/x-www-form-urlencoded");
    }
    return client.request(options)
        .compose(req -> form == null ? req.send() : req.send(Buffer.buffer(form)))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2
            ? Future.succeededFuture(b.toString())
            : Future.failedFuture(new IllegalStateException(method + " " + uri + " answered " + resp.statusCode()
                + " " + b))));
  }
}
