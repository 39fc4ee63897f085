package io.keyway.gateway.v2;

import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the v3 events of one revision under {@code /_v2/} back into v2 events. A v2 write is one Txn that also
 * puts the action record, which names the action and the node. A revision without the record is a lease
 * expiry (deleted keys that had a v2 lease: {@code expire}) or a v3 client writing v2 keys directly ({@code set}
 * or {@code delete}).
 */
final class EventTranslator {
  private EventTranslator() {}

  /** A translated event and, for a directory's removal, every node path that went with it. */
  record Translated(V2Event event, List<String> removedPaths) {}

  /** @param events the events of one revision, in order */
  static List<Translated> translate(long revision, List<Event> events) {
    String action = null;
    String path = null;
    List<String> removed = new ArrayList<>();
    for (Event e : events) {
      KeyValue kv = e.getKv();
      if (kv.getKey().equals(V2Keys.ACTION) && e.getType() == Event.EventType.PUT) {
        String record = kv.getValue().toString(StandardCharsets.UTF_8);
        int space = record.indexOf(' ');
        action = space < 0 ? record : record.substring(0, space);
        path = space < 0 ? "/" : record.substring(space + 1);
      } else if (e.getType() == Event.EventType.DELETE && V2Keys.isNode(kv.getKey())) {
        removed.add(V2Keys.path(kv.getKey()));
      }
    }
    List<Translated> out = new ArrayList<>(1);
    if (action == null) {
      for (Event e : events) {
        if (!V2Keys.isNode(e.getKv().getKey())) {
          continue;
        }
        out.add(foreign(revision, e));
      }
      return out;
    }
    if (action.equals("reap")) {
      return out;
    }
    boolean refresh = action.equals("refresh");
    Event nodeEvent = null;
    KeyValue prev = null;
    for (Event e : events) {
      if (!V2Keys.isNode(e.getKv().getKey()) || !V2Keys.path(e.getKv().getKey()).equals(path)) {
        continue;
      }
      if (e.hasPrevKv() && prev == null) {
        prev = e.getPrevKv();
      }
      if (nodeEvent == null || e.getType() == Event.EventType.PUT) {
        nodeEvent = e;
      }
    }
    if (nodeEvent == null) {
      return out;
    }
    if (nodeEvent.getType() == Event.EventType.PUT) {
      V2Node node = V2Node.at(nodeEvent.getKv(), revision);
      if (refresh) {
        out.add(new Translated(new V2Event(V2Event.SET, node, prev == null ? null : V2Node.of(prev), revision,
            true), List.of()));
      } else {
        out.add(new Translated(new V2Event(action, node, prev == null ? null : V2Node.of(prev), revision),
            List.of()));
      }
      return out;
    }
    boolean dir = V2Keys.isDirKey(nodeEvent.getKv().getKey());
    long created = prev == null ? 0 : prev.getCreateRevision();
    out.add(new Translated(new V2Event(action, V2Node.bare(path, dir, revision, created),
        prev == null ? null : V2Node.of(prev), revision), removed));
    return out;
  }

  private static Translated foreign(long revision, Event e) {
    KeyValue kv = e.getKv();
    KeyValue prev = e.hasPrevKv() ? e.getPrevKv() : null;
    V2Node prevNode = prev == null ? null : V2Node.of(prev);
    if (e.getType() == Event.EventType.PUT) {
      return new Translated(new V2Event(V2Event.SET, V2Node.at(kv, revision), prevNode, revision), List.of());
    }
    String path = V2Keys.path(kv.getKey());
    boolean dir = V2Keys.isDirKey(kv.getKey());
    boolean expired = prev != null && TtlLeases.expiration(prev.getLease()) != null;
    return new Translated(new V2Event(expired ? V2Event.EXPIRE : V2Event.DELETE,
        V2Node.bare(path, dir, revision, prev == null ? 0 : prev.getCreateRevision()), prevNode, revision),
        List.of(path));
  }
}
