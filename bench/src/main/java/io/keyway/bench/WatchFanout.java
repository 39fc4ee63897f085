package io.keyway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket watch fan-out: {@code watchers} sockets on ws://member/v3/watch all watch one key; an open-loop
 * writer puts to that key at a fixed rate, each value being its System.nanoTime() send stamp; every watcher
 * (same JVM) records now − stamp per event. Afterwards every watcher must have seen every put exactly once,
 * in revision order, or the run fails.
 */
final class WatchFanout {
  private static final String KEY = "bench/watch";

  private final Vertx vertx;
  private final Server server;
  private final int watchers;
  private final double putsPerSecond;
  private volatile LatencyHistogram latency = new LatencyHistogram();
  private final AtomicLong delivered = new AtomicLong();
  private final List<Watcher> sockets = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private final long settleMillis;

  WatchFanout(Vertx vertx, Server server, int watchers, double putsPerSecond, long settleMillis) {
    this.settleMillis = settleMillis;
    this.vertx = vertx;
    this.server = server;
    this.watchers = watchers;
    this.putsPerSecond = putsPerSecond;
  }

  /**
   * Two phases on the same sockets. {@code [0]}: the writer offers a fixed rate (open loop), which both servers
   * should sustain, so latencies compare at equal load. {@code [1]}: saturation, the writer keeps at most
   * {@code window} puts not yet delivered to every watcher, so events/s is what the server can fan out.
   */
  Side[] run(Duration duration, Duration drainTimeout, int window) throws BenchException {
    Side rate = new Side();
    Side saturation = new Side();
    Meter meter = new Meter(List.of(server));
    double rssBefore = meter.rss();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(watchers + 16).setConnectTimeout(30_000).setMaxMessageSize(16 * 1024 * 1024));
    long connectStart = System.nanoTime();
    try {
      connectAll(client);
      double connectSeconds = Meter.round2((System.nanoTime() - connectStart) / 1e9);
      Server.sleepMillis(settleMillis);
      double rssWith = meter.rss();
      for (Side side : new Side[] {rate, saturation}) {
        side.extra.put("watchers", watchers);
        side.extra.put("connectSeconds", connectSeconds);
        side.extra.put("rssBeforeWatchersMib", Meter.round1(rssBefore));
        side.extra.put("rssWithWatchersMib", Meter.round1(rssWith));
        side.extra.put("rssPer1kWatchersMib", Meter.round2((rssWith - rssBefore) * 1000.0 / watchers));
      }
      server.checkAlive();
      rate.extra.put("putsPerSecondOffered", putsPerSecond);
      long puts = phase(rate, new RateWriter(), duration, drainTimeout);
      saturation.extra.put("putsInFlightWindow", window);
      puts += phase(saturation, new WindowWriter(window), duration, drainTimeout);
      verify(puts);
      for (Side side : new Side[] {rate, saturation}) {
        side.errors = (long) problems.size();
        side.errorSamples.addAll(problems.subList(0, Math.min(5, problems.size())));
      }
      return new Side[] {rate, saturation};
    } finally {
      closeAll(client);
    }
  }

  private long phase(Side side, Writer writer, Duration duration, Duration drainTimeout) throws BenchException {
    Meter meter = new Meter(List.of(server));
    latency = new LatencyHistogram();
    long deliveredBefore = delivered.get();
    meter.begin();
    long writeStart = System.nanoTime();
    long puts = writer.run(duration);
    long expected = puts * watchers;
    long drainDeadline = System.nanoTime() + drainTimeout.toNanos();
    while (delivered.get() - deliveredBefore < expected && System.nanoTime() < drainDeadline) {
      Server.sleepMillis(10);
    }
    long lastDelivery = Math.max(writeStart + 1,
        sockets.stream().mapToLong(w -> w.lastDeliveryNanos).max().orElse(writeStart));
    meter.end();
    server.checkAlive();
    long got = delivered.get() - deliveredBefore;
    double seconds = (lastDelivery - writeStart) / 1e9;
    side.ops = got;
    side.value = Meter.round1(got / seconds);
    side.p50Ms = Meter.round2(latency.percentileMillis(0.50));
    side.p99Ms = Meter.round2(latency.percentileMillis(0.99));
    side.extra.put("putsAcknowledged", puts);
    side.extra.put("putsPerSecond", Meter.round1(puts / seconds));
    side.extra.put("eventsExpected", expected);
    side.extra.put("eventsDelivered", got);
    side.extra.put("putErrors", writer.errors.get());
    meter.fill(side, got);
    if (writer.errors.get() > 0) {
      problems.add(writer.errors.get() + " watch puts failed, e.g. " + writer.firstError);
    }
    return puts;
  }

  private void connectAll(WebSocketClient client) throws BenchException {
    String create = "{\"create_request\":{\"key\":\"" + Payloads.b64(KEY) + "\"}}";
    Semaphore handshakes = new Semaphore(64);
    CountDownLatch created = new CountDownLatch(watchers);
    List<String> connectErrors = new ArrayList<>();
    for (int i = 0; i < watchers; i++) {
      try {
        if (!handshakes.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new BenchException("WebSocket handshakes stalled at " + i + " of " + watchers);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted");
      }
      Watcher w = new Watcher();
      synchronized (sockets) {
        sockets.add(w);
      }
      w.connect(client, create).onComplete(ar -> {
        handshakes.release();
        if (ar.failed()) {
          synchronized (connectErrors) {
            connectErrors.add(String.valueOf(ar.cause()));
          }
        }
        created.countDown();
      });
    }
    try {
      if (!created.await(180, TimeUnit.SECONDS)) {
        throw new BenchException(created.getCount() + " of " + watchers + " watchers not created within 180 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
    if (!connectErrors.isEmpty()) {
      throw new BenchException(connectErrors.size() + " of " + watchers + " watchers failed to start, e.g. "
          + connectErrors.get(0));
    }
  }

  private void verify(long puts) {
    long short_ = 0;
    long extra = 0;
    long disorder = 0;
    int closed = 0;
    String firstClose = null;
    for (Watcher w : sockets) {
      if (w.events < puts) {
        short_ += puts - w.events;
      } else if (w.events > puts) {
        extra += w.events - puts;
      }
      disorder += w.outOfOrder;
      if (w.closedEarly != null) {
        closed++;
        firstClose = w.closedEarly;
      }
    }
    if (short_ > 0) {
      problems.add("lost " + short_ + " watch events (" + puts + " puts × " + watchers + " watchers expected; "
          + "counted after the drain timeout)");
    }
    if (extra > 0) {
      problems.add(extra + " watch events delivered twice or not from the writer");
    }
    if (disorder > 0) {
      problems.add(disorder + " watch events out of revision order");
    }
    if (closed > 0) {
      problems.add(closed + " watch sockets closed or canceled during the run, e.g. " + firstClose);
    }
  }

  private void closeAll(WebSocketClient client) {
    CountDownLatch closing = new CountDownLatch(sockets.size());
    for (Watcher w : sockets) {
      w.closing = true;
      if (w.socket != null) {
        w.socket.close().onComplete(ar -> closing.countDown());
      } else {
        closing.countDown();
      }
    }
    try {
      closing.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }

  /** One watch socket; its fields are touched only on its own event loop, and read after the run. */
  private final class Watcher {
    volatile WebSocket socket;
    volatile boolean closing;
    volatile String closedEarly;
    volatile long lastDeliveryNanos;
    long events;
    long outOfOrder;
    private long lastRevision;
    private Promise<Void> created;

    Future<Void> connect(WebSocketClient client, String create) {
      created = Promise.promise();
      client.connect(server.clientPort, "127.0.0.1", "/v3/watch").onComplete(ar -> {
        if (ar.failed()) {
          created.tryFail(ar.cause());
          return;
        }
        WebSocket ws = ar.result();
        socket = ws;
        ws.textMessageHandler(this::onMessage);
        ws.closeHandler(v -> {
          if (!closing) {
            closedEarly = "closed by the server (" + ws.closeStatusCode() + ")";
            created.tryFail(closedEarly);
          }
        });
        ws.exceptionHandler(t -> {
          if (!closing) {
            closedEarly = String.valueOf(t);
            created.tryFail(t);
          }
        });
        ws.writeTextMessage(create);
      });
      return created.future();
    }

    private void onMessage(String text) {
      long now = System.nanoTime();
      if (text.contains("\"created\":true")) {
        created.tryComplete();
        return;
      }
      if (text.contains("\"canceled\":true") || !text.startsWith("{\"result\"")) {
        closedEarly = text.length() > 300 ? text.substring(0, 300) : text;
        return;
      }
      int n = Payloads.scanEvents(text, (revision, stamp) -> {
        events++;
        if (revision <= lastRevision) {
          outOfOrder++;
        }
        lastRevision = revision;
        if (stamp > 0) {
          latency.record(now - stamp);
        }
      });
      if (n > 0) {
        lastDeliveryNanos = now;
        delivered.addAndGet(n);
      }
    }
  }

  /** Sends the stamped puts of one phase; counts acknowledgements and failures. */
  private abstract class Writer {
    final AtomicLong errors = new AtomicLong();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong outstanding = new AtomicLong();
    volatile String firstError;
    private final String key = Payloads.b64(KEY);
    HttpJson http;

    long run(Duration duration) throws BenchException {
      try (HttpJson client = new HttpJson(vertx, server.clientPort, 16)) {
        http = client;
        write(duration);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
          Server.sleepMillis(5);
        }
        if (outstanding.get() > 0) {
          throw new BenchException(outstanding.get() + " watch puts still unanswered 60 s after the writer stopped");
        }
      }
      return acknowledged.get();
    }

    abstract void write(Duration duration);

    void put(long stamp) {
      outstanding.incrementAndGet();
      Buffer body = Buffer.buffer("{\"key\":\"" + key + "\",\"value\":\"" + Payloads.stampValue(stamp) + "\"}");
      vertx.runOnContext(v -> http.post("/v3/kv/put", body).onComplete(ar -> {
        if (ar.succeeded()) {
          acknowledged.incrementAndGet();
        } else {
          errors.incrementAndGet();
          if (firstError == null) {
            firstError = String.valueOf(ar.cause());
          }
        }
        outstanding.decrementAndGet();
      }));
    }
  }

  /** Open loop: put i is due at start + i/rate, whatever the server's speed; its stamp is that due time. */
  private final class RateWriter extends Writer {
    @Override
    void write(Duration duration) {
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long issued = 0;
      while (System.nanoTime() < end) {
        long due = (long) ((System.nanoTime() - start) / 1e9 * putsPerSecond) + 1;
        for (; issued < due; issued++) {
          put(start + (long) (issued * 1e9 / putsPerSecond));
        }
        Server.sleepMillis(1);
      }
    }
  }

  /**
   * Closed loop on delivery: a new put is sent as soon as fewer than {@code window} puts are sent but not yet
   * delivered to every watcher. The stamp is the send time.
   */
  private final class WindowWriter extends Writer {
    private final int window;

    WindowWriter(int window) {
      this.window = window;
    }

    @Override
    void write(Duration duration) {
      long base = delivered.get();
      long end = System.nanoTime() + duration.toNanos();
      long issued = 0;
      while (System.nanoTime() < end) {
        long fullyDelivered = (delivered.get() - base) / watchers;
        if (issued - fullyDelivered < window) {
          put(System.nanoTime());
          issued++;
        } else {
          java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
      }
    }
  }
}
