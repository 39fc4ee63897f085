package io.keyway.gateway.concurrency;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.WatchCreateRequest;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.api.v3electionpb.LeaderResponse;
import io.keyway.gateway.rpc.StreamSink;

/**
 * One Observe stream (etcd's Election.observe): read the leader; with none, watch the prefix for the first
 * candidacy; send the leader, then every change of its key until it is deleted; start over. As in etcd, a
 * failed read or a lost watcher ends the stream normally. Every step runs on the recipes' thread.
 */
final class LeaderObserver {
  private final Recipes recipes;
  private final ByteString prefix;
  private final StreamSink<LeaderResponse> sink;
  private KeyWatch watch;
  private boolean stopped;

  LeaderObserver(Recipes recipes, ByteString prefix, StreamSink<LeaderResponse> sink) {
    this.recipes = recipes;
    this.prefix = prefix;
    this.sink = sink;
  }

  void start() {
    Recipes.steps().execute(this::readLeader);
  }

  /** The client went away: drop the watcher, send nothing more. Any thread; the work runs on the recipes' one. */
  void stop() {
    Recipes.steps().execute(() -> {
      synchronized (this) {
        stopped = true;
        closeWatch();
      }
    });
  }

  private void readLeader() {
    recipes.kv.range(Recipes.firstCreated(prefix)).whenCompleteAsync((resp, err) -> {
      synchronized (this) {
        if (stopped) {
          return;
        }
        if (err != null) {
          finish();
        } else if (resp.getKvsCount() == 0) {
          watch(WatchCreateRequest.newBuilder().setKey(prefix).setRangeEnd(Recipes.prefixEnd(prefix))
              .setStartRevision(resp.getHeader().getRevision()).build(), this::firstCandidate);
        } else {
          leader(resp.getHeader(), resp.getKvs(0));
        }
      }
    }, Recipes.steps());
  }

  private synchronized void firstCandidate(WatchResponse response) {
    for (Event e : response.getEventsList()) {
      if (e.getType() == Event.EventType.PUT) {
        closeWatch();
        // the header of the revision that created the leader, not of the watch response
        leader(response.getHeader().toBuilder().setRevision(e.getKv().getModRevision()).build(), e.getKv());
        return;
      }
    }
  }

  private void leader(ResponseHeader header, KeyValue kv) {
    if (stopped) {
      return;
    }
    sink.next(ElectionService.leaderResponse(header, kv));
    watch(WatchCreateRequest.newBuilder().setKey(kv.getKey()).setStartRevision(header.getRevision() + 1).build(),
        this::leaderChanged);
  }

  private synchronized void leaderChanged(WatchResponse response) {
    if (stopped) {
      return;
    }
    for (Event e : response.getEventsList()) {
      if (e.getType() == Event.EventType.DELETE) {
        closeWatch();
        readLeader();
        return;
      }
      sink.next(ElectionService.leaderResponse(response.getHeader(), e.getKv()));
    }
  }

  private void watch(WatchCreateRequest request, java.util.function.Consumer<WatchResponse> onEvents) {
    watch = KeyWatch.open(recipes.watches, request, onEvents, failure -> finish());
  }

  private synchronized void finish() {
    if (!stopped) {
      stopped = true;
      closeWatch();
      sink.end();
    }
  }

  private void closeWatch() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }
}
