package io.keyway.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * One client thread of the register workload: random puts, linearizable gets, compare-and-set txns (by value
 * or mod_revision) and a few deletes on a handful of keys, each with a unique value, through the members the
 * {@code clients} function hands out (sticking to one or rotating). Every request is recorded in the shared
 * history; answers etcd would never give are collected as unexpected.
 */
final class RegisterWorkload implements Runnable {

  private final int id;
  private final List<String> keys;
  private final IntFunction<RegisterClient> clients;
  private final boolean sticky;
  private final Random random;
  private final List<RegisterOp> history;
  private final List<String> unexpected;
  private final long pauseMillis;
  /** What this client last saw of each key: value and mod_revision, for its next CAS. */
  private final Map<String, RegisterClient.Read> lastSeen = new HashMap<>();
  private volatile boolean stop;
  private int seq;
  private int target;

  RegisterWorkload(int id, List<String> keys, IntFunction<RegisterClient> clients, boolean sticky, long seed,
                   List<RegisterOp> history, List<String> unexpected, long pauseMillis) {
    this.id = id;
    this.keys = List.copyOf(keys);
    this.clients = clients;
    this.sticky = sticky;
    this.random = new Random(seed);
    this.history = history;
    this.unexpected = unexpected;
    this.pauseMillis = pauseMillis;
    this.target = id;
  }

  static List<RegisterOp> newHistory() {
    return new CopyOnWriteArrayList<>();
  }

  void requestStop() {
    stop = true;
  }

  @Override
  public void run() {
    while (!stop) {
      RegisterClient client = clients.apply(sticky ? target : random.nextInt(1 << 16));
      String key = keys.get(random.nextInt(keys.size()));
      int dice = random.nextInt(100);
      boolean answered;
      if (dice < 40) {
        answered = get(client, key);
      } else if (dice < 65) {
        answered = put(client, key);
      } else if (dice < 95) {
        answered = cas(client, key);
      } else {
        answered = delete(client, key);
      }
      if (!answered) {
        target++; // a client with several endpoints moves on after a failure
        ServerProcess.sleep(50);
      } else if (pauseMillis > 0) {
        ServerProcess.sleep(random.nextInt((int) pauseMillis + 1));
      }
    }
  }

  /** A final linearizable read of {@code key} (retried until answered or the deadline), recorded as well. */
  static boolean finalRead(RegisterClient client, String key, List<RegisterOp> history) {
    long invoke = System.nanoTime();
    try {
      RegisterClient.Read r = client.get(key);
      history.add(RegisterOp.get(key, r.value(), r.modRevision(), invoke, System.nanoTime(), r.revision(),
          client.describe()));
      return true;
    } catch (RegisterClient.Refused | RegisterClient.Indeterminate e) {
      return false;
    }
  }

  private String nextValue() {
    return "c" + id + "-" + seq++;
  }

  private boolean get(RegisterClient client, String key) {
    long invoke = System.nanoTime();
    try {
      RegisterClient.Read r = client.get(key);
      history.add(RegisterOp.get(key, r.value(), r.modRevision(), invoke, System.nanoTime(), r.revision(),
          client.describe()));
      lastSeen.put(key, r);
      return true;
    } catch (RegisterClient.Refused e) {
      return false;
    } catch (RegisterClient.Indeterminate e) {
      note(client, "get " + key, e);
      return false; // a read without an answer has no effect: nothing to record
    }
  }

  private boolean put(RegisterClient client, String key) {
    String value = nextValue();
    long invoke = System.nanoTime();
    try {
      RegisterClient.Written w = client.put(key, value);
      history.add(RegisterOp.put(key, value, invoke, System.nanoTime(), w.revision(), client.describe()));
      lastSeen.put(key, new RegisterClient.Read(value, w.revision(), w.revision()));
      return true;
    } catch (RegisterClient.Refused e) {
      return false;
    } catch (RegisterClient.Indeterminate e) {
      history.add(RegisterOp.unknown(RegisterOp.Kind.PUT, key, value, null, invoke, client.describe()));
      note(client, "put " + key, e);
      lastSeen.remove(key);
      return false;
    }
  }

  private boolean cas(RegisterClient client, String key) {
    RegisterClient.Read seen = lastSeen.get(key);
    String expect = seen == null ? null : seen.value();
    long expectRev = seen == null ? 0 : seen.modRevision();
    boolean byModRevision = expect != null && expectRev > 0 && random.nextBoolean();
    String value = nextValue();
    long invoke = System.nanoTime();
    try {
      RegisterClient.Written w = client.cas(key, expect, expectRev, byModRevision, value);
      long complete = System.nanoTime();
      if (w.succeeded()) {
        history.add(RegisterOp.casSucceeded(key, expect, value, invoke, complete, w.revision(), client.describe()));
        lastSeen.put(key, new RegisterClient.Read(value, w.revision(), w.revision()));
      } else {
        RegisterClient.Read r = w.failureRead();
        history.add(RegisterOp.casFailed(key, expect, value, r.value(), r.modRevision(), invoke, complete,
            w.revision(), client.describe()));
        lastSeen.put(key, r);
      }
      return true;
    } catch (RegisterClient.Refused e) {
      return false;
    } catch (RegisterClient.Indeterminate e) {
      history.add(RegisterOp.unknown(RegisterOp.Kind.CAS, key, value, expect, invoke, client.describe()));
      note(client, "cas " + key, e);
      lastSeen.remove(key);
      return false;
    }
  }

  private boolean delete(RegisterClient client, String key) {
    long invoke = System.nanoTime();
    try {
      RegisterClient.Written w = client.delete(key);
      history.add(RegisterOp.delete(key, w.succeeded(), invoke, System.nanoTime(), w.revision(), client.describe()));
      lastSeen.put(key, new RegisterClient.Read(null, 0, w.revision()));
      return true;
    } catch (RegisterClient.Refused e) {
      return false;
    } catch (RegisterClient.Indeterminate e) {
      history.add(RegisterOp.unknown(RegisterOp.Kind.DELETE, key, null, null, invoke, client.describe()));
      note(client, "delete " + key, e);
      lastSeen.remove(key);
      return false;
    }
  }

  private void note(RegisterClient client, String what, RegisterClient.Indeterminate e) {
    if (e.unexpected) {
      unexpected.add(client.describe() + " " + what + ": " + e.getMessage());
    }
  }

  /** Counts of the recorded ops by kind and outcome, for the report. */
  static Map<String, Integer> summary(List<RegisterOp> history) {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (RegisterOp op : new ArrayList<>(history)) {
      counts.merge(op.kind() + (op.known() ? "" : "?"), 1, Integer::sum);
    }
    return counts;
  }
}
