package io.keyway.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client watching a key prefix on one member over the HTTP gateway, as etcd clients do across failures: when
 * the stream breaks (member killed, restarted) it watches again from the revision after the last event it got.
 * etcd promises such a watcher every event exactly once, in revision order: its record must be a prefix of the
 * cluster's event history.
 */
final class WatchRecorder implements Runnable {

  /** One event as a watcher sees it. */
  record Event(String key, String type, long modRevision, String value) {
    @Override
    public String toString() {
      return type + " " + key + "=" + value + "@" + modRevision;
    }
  }

  private final String baseUrl;
  private final String prefix;
  private final String name;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private volatile boolean stop;
  private volatile int reconnects;

  WatchRecorder(String name, String baseUrl, String prefix) {
    this.name = name;
    this.baseUrl = baseUrl;
    this.prefix = prefix;
  }

  String name() {
    return name;
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  int reconnects() {
    return reconnects;
  }

  void requestStop() {
    stop = true;
  }

  long nextRevision() {
    return events.isEmpty() ? 1 : events.get(events.size() - 1).modRevision() + 1;
  }

  @Override
  public void run() {
    while (!stop) {
      HttpWatchStream stream;
      try {
        stream = HttpWatchStream.open(baseUrl, "/v3/watch",
            WatchRequests.createPrefix(prefix, "start_revision", nextRevision()));
      } catch (RuntimeException e) {
        ServerProcess.sleep(300); // member down
        continue;
      }
      try (stream) {
        readUntilBroken(stream);
      }
      if (!stop) {
        reconnects++;
        ServerProcess.sleep(200);
      }
    }
  }

  private void readUntilBroken(HttpWatchStream stream) {
    while (!stop) {
      String line = stream.nextLine(500);
      if (line == null) {
        continue;
      }
      if (line.equals(HttpWatchStream.END)) {
        return;
      }
      JsonNode message;
      try {
        message = Json.parse(line);
      } catch (AssertionError e) {
        problems.add(name + ": not JSON: " + line);
        return;
      }
      JsonNode result = message.path("result");
      if (result.isMissingNode()) {
        return; // an error ends the stream (e.g. the member lost its leader): watch again
      }
      if (result.path("canceled").asBoolean(false)) {
        problems.add(name + ": watch canceled: " + result);
        return;
      }
      for (JsonNode e : result.path("events")) {
        JsonNode kv = e.path("kv");
        String value = kv.has("value") ? Json.unb64(kv.path("value").asText()) : "";
        events.add(new Event(Json.unb64(kv.path("key").asText()), e.path("type").asText("PUT"),
            kv.path("mod_revision").asLong(), value));
      }
    }
  }

  /**
   * Problems of this record against the cluster's full event history {@code truth}: every event once, in
   * order, none missing in between.
   */
  List<String> compareWith(List<Event> truth) {
    List<String> found = new ArrayList<>(problems);
    List<Event> seen = events();
    for (int i = 0; i < seen.size(); i++) {
      if (i >= truth.size()) {
        found.add(name + ": event #" + i + " " + seen.get(i) + " beyond the history's " + truth.size() + " events");
        break;
      }
      if (!seen.get(i).equals(truth.get(i))) {
        found.add(name + ": event #" + i + " is " + seen.get(i) + " but the history has " + truth.get(i)
            + " (previous: " + (i > 0 ? seen.get(i - 1) : "none") + ")");
        break;
      }
    }
    return found;
  }
}
