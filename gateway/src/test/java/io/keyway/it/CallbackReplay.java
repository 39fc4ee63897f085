package io.keyway.it;

import io.keyway.client.cache.CacheEntry;
import io.keyway.client.cache.CacheListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link CacheListener} that replays the callbacks onto its own map and notes every callback that does not
 * follow from the ones before it: a put or delete whose "previous" is not what the replay holds (a gap or a
 * duplicate), or a key whose mod revision does not grow. The keys of the cache ITs are ASCII, so a String map
 * sorts them as etcd does.
 */
final class CallbackReplay implements CacheListener {
  private final Map<String, CacheEntry> replayed = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();
  private int puts;
  private int deletes;
  private int resets;

  @Override
  public synchronized void onPut(CacheEntry entry, CacheEntry previous) {
    puts++;
    CacheEntry held = replayed.put(entry.keyString(), entry);
    if (!Objects.equals(held, previous)) {
      problem("put " + entry + " says previous " + previous + " but the replay held " + held);
    }
    if (held != null && entry.modRevision() <= held.modRevision()) {
      problem("put " + entry + " does not come after " + held);
    }
  }

  @Override
  public synchronized void onDelete(CacheEntry previous, long revision) {
    deletes++;
    CacheEntry held = replayed.remove(previous.keyString());
    if (!Objects.equals(held, previous)) {
      problem("delete at " + revision + " says previous " + previous + " but the replay held " + held);
    }
    if (revision <= previous.modRevision()) {
      problem("delete at " + revision + " does not come after " + previous);
    }
  }

  @Override
  public synchronized void onReset(long revision) {
    resets++;
  }

  private void problem(String what) {
    if (problems.size() < 20) {
      problems.add(what);
    }
  }

  synchronized List<CacheEntry> entries() {
    return List.copyOf(replayed.values());
  }

  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  synchronized int resets() {
    return resets;
  }

  @Override
  public synchronized String toString() {
    return puts + " puts, " + deletes + " deletes, " + resets + " resets, " + replayed.size() + " keys";
  }
}
