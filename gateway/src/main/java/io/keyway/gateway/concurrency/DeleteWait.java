package io.keyway.gateway.concurrency;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.mvccpb.Event;
import java.util.concurrent.CompletableFuture;

/**
 * Waits until no key under a prefix was created at or before a revision (etcd's concurrency.waitDeletes):
 * find the newest such key, watch it from the revision it was read at until it is deleted, and repeat. The
 * queue is FIFO by create revision, so each waiter watches only its direct predecessor at a time.
 */
final class DeleteWait {
  private final Recipes recipes;
  private final ByteString prefix;
  private final long maxCreateRev;
  private final CompletableFuture<ResponseHeader> done = new CompletableFuture<>();
  private KeyWatch current;
  private boolean stopped;

  private DeleteWait(Recipes recipes, ByteString prefix, long maxCreateRev) {
    this.recipes = recipes;
    this.prefix = prefix;
    this.maxCreateRev = maxCreateRev;
  }

  /** Completes with the header of the read that found no predecessor left. */
  static DeleteWait start(Recipes recipes, ByteString prefix, long maxCreateRev) {
    DeleteWait wait = new DeleteWait(recipes, prefix, maxCreateRev);
    wait.next();
    return wait;
  }

  CompletableFuture<ResponseHeader> result() {
    return done;
  }

  /**
   * Abandons the wait: the result is canceled and the current watcher removed. Callable from any thread; the
   * removal runs on the recipes' thread, where watch deliveries run, so the two never take locks in turns.
   */
  void stop() {
    done.cancel(false);
    Recipes.steps().execute(() -> {
      synchronized (this) {
        stopped = true;
        if (current != null) {
          current.close();
          current = null;
        }
      }
    });
  }

  private void next() {
    recipes.kv.range(Recipes.lastCreatedBefore(prefix, maxCreateRev)).whenCompleteAsync((resp, err) -> {
      if (err != null) {
        done.completeExceptionally(err);
      } else if (resp.getKvsCount() == 0) {
        done.complete(resp.getHeader());
      } else {
        waitDelete(resp.getKvs(0).getKey(), resp.getHeader().getRevision());
      }
    }, Recipes.steps());
  }

  private synchronized void waitDelete(ByteString key, long fromRevision) {
    if (stopped) {
      return;
    }
    WatchCreateRequest request = WatchCreateRequest.newBuilder().setKey(key).setStartRevision(fromRevision).build();
    current = KeyWatch.open(recipes.watches, request, response -> {
      for (Event e : response.getEventsList()) {
        if (e.getType() == Event.EventType.DELETE) {
          deleted();
          return;
        }
      }
    }, done::completeExceptionally);
  }

  private synchronized void deleted() {
    if (stopped) {
      return;
    }
    current.close();
    current = null;
    next();
  }
}
