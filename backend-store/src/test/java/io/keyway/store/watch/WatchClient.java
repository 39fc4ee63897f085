package io.keyway.store.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A consumer of one {@link WatchStream} the way a transport uses it: poll until null, wait for the signal. */
final class WatchClient {
  final WatchStream stream;
  final Semaphore ready = new Semaphore(0);

  WatchClient(WatchableStore store) {
    stream = store.newStream(ready::release);
  }

  long watch(WatchCreateRequest.Builder request) {
    return stream.create(request.build());
  }

  /** Everything queued right now. */
  List<WatchResponse> drain() {
    List<WatchResponse> out = new ArrayList<>();
    WatchResponse r;
    while ((r = stream.poll()) != null) {
      out.add(r);
    }
    return out;
  }

  /** The next response, waiting for the readiness signal if none is queued. */
  WatchResponse next(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      WatchResponse r = stream.poll();
      if (r != null) {
        return r;
      }
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0 || !ready.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          return null;
        }
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  WatchResponse expectNext() {
    WatchResponse r = next(5000);
    if (r == null) {
      fail("no watch response within 5 s");
    }
    return r;
  }

  /** Collects responses until {@code done} holds for them (5 s at most). */
  List<WatchResponse> until(Predicate<List<WatchResponse>> done) {
    List<WatchResponse> got = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 5000;
    while (!done.test(got)) {
      WatchResponse r = next(Math.max(1, deadline - System.currentTimeMillis()));
      if (r == null) {
        fail("condition not reached within 5 s; got " + got);
      }
      got.add(r);
    }
    return got;
  }

  /** Collects responses until {@code count} events arrived. */
  List<Event> events(int count) {
    List<Event> out = new ArrayList<>();
    until(rs -> {
      out.clear();
      rs.forEach(r -> out.addAll(r.getEventsList()));
      return out.size() >= count;
    });
    assertEquals(count, out.size(), "more events than expected: " + out);
    return out;
  }

  void expectSilence(long millis) {
    WatchResponse r = next(millis);
    assertNull(r, () -> "unexpected response " + r);
  }

  static List<Event> withoutPrevKv(List<Event> events) {
    return events.stream().map(e -> e.toBuilder().clearPrevKv().build()).toList();
  }
}
