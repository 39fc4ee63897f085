package io.keyway.store.watch;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.store.mvcc.KeyRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongFunction;

/**
 * The server side of one client's Watch stream (etcd's serverWatchStream without the transport): takes the
 * client's requests and produces the {@link WatchResponse}s to send back, in order, into a bounded queue.
 *
 * <p><b>Feeding requests.</b> {@link #handle(WatchRequest)} (or {@link #create}, {@link #cancel},
 * {@link #requestProgress}) from any thread; they never block on the consumer. Answers are queued, never
 * returned, so they stay ordered with the events: a watcher's {@code created} response always precedes its
 * events and its {@code canceled} response follows them.
 *
 * <p><b>Receiving responses.</b> The transport pulls with {@link #poll()} as long as it can write. When
 * {@code poll} returns null, the {@code onReady} callback given at creation will run (once) when the next
 * response is queued. The callback may run on any thread (the Raft apply thread, the catch-up thread, the
 * caller of a request method) after all internal locks are released; it must only schedule the drain on the
 * transport's own thread and return. A transport whose socket is not writable simply stops polling and
 * resumes when it is: responses then pile up to the buffer bound, after which this stream's watchers stop
 * taking live events and later replay them from history, so memory stays bounded however slow the client.
 *
 * <p><b>Request backpressure.</b> Responses to requests are always queued; a transport should stop reading
 * requests while {@link #backlogged()} and resume once its drain found it false again.
 */
public final class WatchStream implements AutoCloseable {
  /** etcd's clientv3.InvalidWatchID: refused creates and stream-wide progress notifications carry it. */
  public static final long INVALID_WATCH_ID = -1;
  private static final ByteString SMALLEST_KEY = ByteString.copyFrom(new byte[] {0});

  private final WatchableStore store;
  private final WatchOptions options;
  private final LongFunction<ResponseHeader> headers;
  private final Outbox outbox;
  private final Object requestLock = new Object();
  /** Every watcher created and not canceled, including those canceled by compaction (as in etcd). */
  private final Map<Long, Watcher> watchers = new HashMap<>();
  private long nextId;
  private boolean closed;
  private ScheduledFuture<?> progressTicker;

  WatchStream(WatchableStore store, WatchOptions options, LongFunction<ResponseHeader> headers,
      Runnable onReady) {
    this.store = store;
    this.options = options;
    this.headers = headers;
    this.outbox = new Outbox(options.bufferResponses(), options.bufferBytes(), onReady, store::requestSync);
  }

  void startProgressTicker(ScheduledFuture<?> ticker) {
    synchronized (requestLock) {
      if (closed) {
        ticker.cancel(false);
      } else {
        progressTicker = ticker;
      }
    }
  }

  // ---- requests ------------------------------------------------------------------------------------------

  /** Dispatches one client message; an empty or unknown request is ignored, as etcd does. */
  public void handle(WatchRequest request) {
    switch (request.getRequestUnionCase()) {
      case CREATE_REQUEST -> create(request.getCreateRequest());
      case CANCEL_REQUEST -> cancel(request.getCancelRequest().getWatchId());
      case PROGRESS_REQUEST -> requestProgress();
      default -> { }
    }
  }

  /**
   * Creates a watcher and queues its {@code created} response (or a created-and-canceled response with
   * watch id -1 and etcd's {@code cancel_reason} when the request is refused).
   *
   * @return the watcher's id, or -1 when refused
   */
  public long create(WatchCreateRequest request) {
    try {
      synchronized (requestLock) {
        if (closed) {
          return INVALID_WATCH_ID;
        }
        return createLocked(request);
      }
    } finally {
      store.fireSignals();
    }
  }

  private long createLocked(WatchCreateRequest request) {
    ByteString key = request.getKey().isEmpty() ? SMALLEST_KEY : request.getKey();
    if (request.getStartRevision() < 0) {
      refuse(EtcdError.COMPACTED);
      return INVALID_WATCH_ID;
    }
    ByteString end = request.getRangeEnd();
    if (!end.isEmpty() && !end.equals(SMALLEST_KEY) && KeyRange.compare(key, end) >= 0) {
      refuse(EtcdError.WATCHER_RANGE_EMPTY);
      return INVALID_WATCH_ID;
    }
    long id = request.getWatchId();
    if (id != 0 && watchers.containsKey(id)) {
      refuse(EtcdError.DUPLICATE_WATCH_ID);
      return INVALID_WATCH_ID;
    }
    if (watchers.size() >= options.maxWatchersPerStream()) {
      refuse(EtcdError.TOO_MANY_REQUESTS);
      return INVALID_WATCH_ID;
    }
    if (id == 0) {
      while (watchers.containsKey(nextId)) {
        nextId++;
      }
      id = nextId++;
    }
    Watcher w = new Watcher(id, KeyRange.of(key, end), request, this);
    watchers.put(id, w);
    store.register(w);
    return id;
  }

  /**
   * Answers a create request the caller refused itself (etcd's permission and auth-token checks, which
   * belong to the auth layer) with etcd's created-and-canceled response carrying {@code cancelReason}, in
   * order with everything else on the stream.
   */
  public void reject(String cancelReason) {
    try {
      synchronized (requestLock) {
        if (!closed) {
          refuse(cancelReason);
        }
      }
    } finally {
      store.fireSignals();
    }
  }

  private void refuse(EtcdError error) {
    refuse(error.message());
  }

  private void refuse(String cancelReason) {
    offer(outbox.control(WatchResponse.newBuilder()
        .setHeader(headers.apply(store.revision()))
        .setWatchId(INVALID_WATCH_ID)
        .setCreated(true)
        .setCanceled(true)
        .setCancelReason(cancelReason)
        .build()));
  }

  /** Cancels a watcher and queues its {@code canceled} response; an unknown id is ignored (etcd sends nothing). */
  public void cancel(long watchId) {
    try {
      synchronized (requestLock) {
        if (closed) {
          return;
        }
        Watcher w = watchers.remove(watchId);
        if (w == null) {
          return;
        }
        store.unregister(w);
        offer(outbox.control(WatchResponse.newBuilder()
            .setHeader(headers.apply(store.revision()))
            .setWatchId(watchId)
            .setCanceled(true)
            .build()));
      }
    } finally {
      store.fireSignals();
    }
  }

  /**
   * etcd 3.5's progress request: when every watcher of the stream is synced, queues a response with the
   * current revision and watch id -1; otherwise (or with no watchers) nothing.
   */
  public void requestProgress() {
    try {
      synchronized (requestLock) {
        if (!closed && !watchers.isEmpty()) {
          store.progressIfSynced(new ArrayList<>(watchers.values()), INVALID_WATCH_ID, this);
        }
      }
    } finally {
      store.fireSignals();
    }
  }

  /** One {@code progress_notify} period: idle watchers that asked for it get a progress response. */
  void progressTick() {
    try {
      synchronized (requestLock) {
        if (closed) {
          return;
        }
        for (Watcher w : watchers.values()) {
          if (!w.progressNotify) {
            continue;
          }
          if (!w.eventsSinceTick) {
            store.progressIfSynced(List.of(w), w.id, this);
          }
          w.eventsSinceTick = false;
        }
      }
    } finally {
      store.fireSignals();
    }
  }

  // ---- responses -----------------------------------------------------------------------------------------

  /** The next response to send, or null (then {@code onReady} runs when one arrives). */
  public WatchResponse poll() {
    return outbox.poll();
  }

  /** True while the response buffer is at its bound: the transport should pause reading requests. */
  public boolean backlogged() {
    return outbox.backlogged();
  }

  /** Responses waiting to be polled. */
  public int bufferedResponses() {
    return outbox.size();
  }

  /** Serialized bytes waiting to be polled. */
  public long bufferedBytes() {
    return outbox.bytes();
  }

  /** Removes every watcher of the stream and drops what was not polled. */
  @Override
  public void close() {
    synchronized (requestLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (progressTicker != null) {
        progressTicker.cancel(false);
      }
      for (Watcher w : watchers.values()) {
        store.unregister(w);
      }
      watchers.clear();
      outbox.close();
    }
    store.streamClosed(this);
  }

  // ---- called by the store, under its lock ---------------------------------------------------------------

  void created(Watcher w, long revision) {
    offer(outbox.control(WatchResponse.newBuilder()
        .setHeader(headers.apply(revision))
        .setWatchId(w.id)
        .setCreated(true)
        .build()));
  }

  /** Queues one response of {@code events} (fragmented if asked); false when the buffer is full. */
  boolean deliver(Watcher w, long revision, List<Event> events) {
    WatchResponse r = WatchResponse.newBuilder()
        .setHeader(headers.apply(revision))
        .setWatchId(w.id)
        .addAllEvents(events)
        .build();
    Outbox.Offer result = outbox.offerEvents(
        w.fragment ? Fragments.split(r, options.fragmentBytes()) : List.of(r));
    if (result == Outbox.Offer.REFUSED) {
      return false;
    }
    w.eventsSinceTick = true;
    offer(result);
    return true;
  }

  /** etcd's compaction cancel: no created flag, header revision 0, the compaction revision. */
  void compacted(Watcher w, long compactRevision) {
    offer(outbox.control(WatchResponse.newBuilder()
        .setHeader(headers.apply(0))
        .setWatchId(w.id)
        .setCanceled(true)
        .setCompactRevision(compactRevision)
        .build()));
  }

  void progress(long watchId, long revision) {
    offer(outbox.offerProgress(WatchResponse.newBuilder()
        .setHeader(headers.apply(revision))
        .setWatchId(watchId)
        .build()));
  }

  boolean hasRoom() {
    return outbox.hasRoom();
  }

  private void offer(Outbox.Offer result) {
    if (result == Outbox.Offer.TAKEN_SIGNAL) {
      store.queueSignal(outbox);
    }
  }
}
