package io.keyway.gateway.concurrency;

import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.store.watch.WatchStream;
import java.util.function.Consumer;

/**
 * One in-process watcher on the member's watchable store (what clientv3's Watch is to etcd's recipes). Event
 * responses are handed to {@code onEvents} on the recipes' thread, one at a time and in order; a watcher
 * canceled by compaction reports etcd's "required revision has been compacted" to {@code onFailure}. Nothing
 * is delivered after {@link #close()}.
 */
final class KeyWatch implements AutoCloseable {
  private final WatchStream stream;
  private final Consumer<WatchResponse> onEvents;
  private final Consumer<Throwable> onFailure;
  private boolean closed;

  private KeyWatch(WatchHub hub, Consumer<WatchResponse> onEvents, Consumer<Throwable> onFailure) {
    this.onEvents = onEvents;
    this.onFailure = onFailure;
    // the stream calls back from the apply or catch-up thread: only hop to our thread there
    this.stream = hub.newStream(() -> Recipes.steps().execute(this::drain));
  }

  /** Starts watching; a stopping server fails right away (through {@code onFailure}, on the recipes' thread). */
  static KeyWatch open(WatchHub hub, WatchCreateRequest request, Consumer<WatchResponse> onEvents,
      Consumer<Throwable> onFailure) {
    KeyWatch watch;
    try {
      watch = new KeyWatch(hub, onEvents, onFailure);
    } catch (RuntimeException e) {
      Recipes.steps().execute(() -> onFailure.accept(e));
      return null;
    }
    watch.stream.create(request);
    Recipes.steps().execute(watch::drain);
    return watch;
  }

  private synchronized void drain() {
    WatchResponse response;
    while (!closed && (response = stream.poll()) != null) {
      if (response.getCanceled()) {
        close();
        onFailure.accept(response.getCompactRevision() != 0 ? EtcdError.COMPACTED.exception()
            : EtcdError.WATCH_CANCELED.exception());
        return;
      }
      if (response.getEventsCount() > 0) {
        onEvents.accept(response);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      stream.close();
    }
  }
}
