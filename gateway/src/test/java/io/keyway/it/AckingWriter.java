package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A writer thread that puts to its own keys one request at a time and remembers exactly what the server
 * acknowledged, plus the single put it may have had in flight when the server died.
 */
final class AckingWriter implements Runnable {

  /** One put the server answered 200 to. */
  record AckedPut(String key, String value, long revision, int writer, int sequence) {}

  private final int id;
  private final String phase;
  private final int keysPerWriter;
  private final HttpJson http;
  private final List<AckedPut> acked = new CopyOnWriteArrayList<>();
  private volatile boolean stopRequested;
  private volatile String inFlightKey;
  private volatile String inFlightValue;
  private volatile Throwable stoppedBy;
  private volatile long stoppedAtNanos;

  AckingWriter(int id, String phase, int keysPerWriter, HttpJson http) {
    this.id = id;
    this.phase = phase;
    this.keysPerWriter = keysPerWriter;
    this.http = http;
  }

  @Override
  public void run() {
    for (int sequence = 0; !stopRequested; sequence++) {
      String key = "crash/w" + id + "/k" + (sequence % keysPerWriter);
      String value = phase + "-w" + id + "-" + sequence;
      inFlightKey = key;
      inFlightValue = value;
      HttpResult result;
      try {
        result = http.post("/v3/kv/put", obj("key", b64(key), "value", b64(value)));
      } catch (Throwable e) {
        stop(e);
        return;
      }
      if (result.status() != 200) {
        stop(new AssertionError("put " + key + " answered " + result));
        return;
      }
      acked.add(new AckedPut(key, value, EtcdJson.revision(result.json()), id, sequence));
      inFlightKey = null;
      inFlightValue = null;
    }
  }

  private void stop(Throwable cause) {
    stoppedBy = cause;
    stoppedAtNanos = System.nanoTime();
  }

  void requestStop() {
    stopRequested = true;
  }

  List<AckedPut> acked() {
    return List.copyOf(acked);
  }

  /** The key of the put that was sent but never answered, or null. */
  String inFlightKey() {
    return inFlightKey;
  }

  String inFlightValue() {
    return inFlightValue;
  }

  Throwable stoppedBy() {
    return stoppedBy;
  }

  long stoppedAtNanos() {
    return stoppedAtNanos;
  }

  int id() {
    return id;
  }
}
