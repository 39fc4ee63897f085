package io.keyway.gateway.json;

import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.ResponseOp;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.etcdserverpb.WatchResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.util.Base64;
import java.util.List;

/**
 * A hand-written printer for the responses the gateway sends most (KV, txn and watch), producing exactly what
 * {@link JsonCodec}'s protobuf {@code JsonFormat} printer produces (proto field names in declaration order,
 * defaults omitted, 64-bit integers quoted, bytes as padded standard base64, no whitespace) without its
 * reflection. {@code KvJsonPrinterTest} compares the two over random messages. Messages it does not know, and
 * the rare cases it leaves to JsonFormat (a watch cancel reason, which needs JsonFormat's string escaping; an
 * event type outside the enum), return null.
 */
final class KvJsonPrinter {
  private KvJsonPrinter() {}

  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  /** Thrown (without a stack trace) when a nested part needs JsonFormat after all. */
  private static final class Unsupported extends RuntimeException {
    static final Unsupported INSTANCE = new Unsupported();

    private Unsupported() {
      super(null, null, false, false);
    }
  }

  /** The JSON of {@code message}, or null when JsonFormat must print it. */
  static String tryPrint(Object message) {
    StringBuilder out = new StringBuilder(128);
    try {
      if (message instanceof PutResponse m) {
        put(out, m);
      } else if (message instanceof RangeResponse m) {
        range(out, m);
      } else if (message instanceof WatchResponse m) {
        watch(out, m);
      } else if (message instanceof TxnResponse m) {
        txn(out, m);
      } else if (message instanceof DeleteRangeResponse m) {
        deleteRange(out, m);
      } else {
        return null;
      }
    } catch (Unsupported e) {
      return null;
    }
    return out.toString();
  }

  /** Writes {@code ,"name":} or {@code "name":} and tracks whether a member was written. */
  private static final class Obj {
    private final StringBuilder out;
    private boolean first = true;

    Obj(StringBuilder out) {
      this.out = out;
      out.append('{');
    }

    StringBuilder name(String name) {
      if (!first) {
        out.append(',');
      }
      first = false;
      return out.append('"').append(name).append("\":");
    }

    void int64(String name, long v) {
      if (v != 0) {
        name(name).append('"').append(v).append('"');
      }
    }

    void uint64(String name, long v) {
      if (v != 0) {
        name(name).append('"').append(Long.toUnsignedString(v)).append('"');
      }
    }

    void bool(String name, boolean v) {
      if (v) {
        name(name).append("true");
      }
    }

    void bytes(String name, com.google.protobuf.ByteString v) {
      if (!v.isEmpty()) {
        name(name).append('"').append(BASE64.encodeToString(v.toByteArray())).append('"');
      }
    }

    void end() {
      out.append('}');
    }
  }

  private static void header(StringBuilder out, ResponseHeader h) {
    Obj o = new Obj(out);
    o.uint64("cluster_id", h.getClusterId());
    o.uint64("member_id", h.getMemberId());
    o.int64("revision", h.getRevision());
    o.uint64("raft_term", h.getRaftTerm());
    o.end();
  }

  private static void keyValue(StringBuilder out, KeyValue kv) {
    Obj o = new Obj(out);
    o.bytes("key", kv.getKey());
    o.int64("create_revision", kv.getCreateRevision());
    o.int64("mod_revision", kv.getModRevision());
    o.int64("version", kv.getVersion());
    o.bytes("value", kv.getValue());
    o.int64("lease", kv.getLease());
    o.end();
  }

  private static void keyValues(Obj o, String name, List<KeyValue> kvs) {
    if (kvs.isEmpty()) {
      return;
    }
    StringBuilder out = o.name(name).append('[');
    for (int i = 0; i < kvs.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      keyValue(out, kvs.get(i));
    }
    out.append(']');
  }

  private static void put(StringBuilder out, PutResponse m) {
    Obj o = new Obj(out);
    if (m.hasHeader()) {
      header(o.name("header"), m.getHeader());
    }
    if (m.hasPrevKv()) {
      keyValue(o.name("prev_kv"), m.getPrevKv());
    }
    o.end();
  }

  private static void range(StringBuilder out, RangeResponse m) {
    Obj o = new Obj(out);
    if (m.hasHeader()) {
      header(o.name("header"), m.getHeader());
    }
    keyValues(o, "kvs", m.getKvsList());
    o.bool("more", m.getMore());
    o.int64("count", m.getCount());
    o.end();
  }

  private static void deleteRange(StringBuilder out, DeleteRangeResponse m) {
    Obj o = new Obj(out);
    if (m.hasHeader()) {
      header(o.name("header"), m.getHeader());
    }
    o.int64("deleted", m.getDeleted());
    keyValues(o, "prev_kvs", m.getPrevKvsList());
    o.end();
  }

  private static void txn(StringBuilder out, TxnResponse m) {
    Obj o = new Obj(out);
    if (m.hasHeader()) {
      header(o.name("header"), m.getHeader());
    }
    o.bool("succeeded", m.getSucceeded());
    List<ResponseOp> ops = m.getResponsesList();
    if (!ops.isEmpty()) {
      StringBuilder sb = o.name("responses").append('[');
      for (int i = 0; i < ops.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        responseOp(sb, ops.get(i));
      }
      sb.append(']');
    }
    o.end();
  }

  private static void responseOp(StringBuilder out, ResponseOp op) {
    Obj o = new Obj(out);
    switch (op.getResponseCase()) {
      case RESPONSE_RANGE -> range(o.name("response_range"), op.getResponseRange());
      case RESPONSE_PUT -> put(o.name("response_put"), op.getResponsePut());
      case RESPONSE_DELETE_RANGE -> deleteRange(o.name("response_delete_range"), op.getResponseDeleteRange());
      case RESPONSE_TXN -> txn(o.name("response_txn"), op.getResponseTxn());
      default -> { }
    }
    o.end();
  }

  private static void watch(StringBuilder out, WatchResponse m) {
    if (!m.getCancelReason().isEmpty()) {
      throw Unsupported.INSTANCE;
    }
    Obj o = new Obj(out);
    if (m.hasHeader()) {
      header(o.name("header"), m.getHeader());
    }
    o.int64("watch_id", m.getWatchId());
    o.bool("created", m.getCreated());
    o.bool("canceled", m.getCanceled());
    o.int64("compact_revision", m.getCompactRevision());
    o.bool("fragment", m.getFragment());
    List<Event> events = m.getEventsList();
    if (!events.isEmpty()) {
      StringBuilder sb = o.name("events").append('[');
      for (int i = 0; i < events.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(EventCache.CURRENT.get().json(events.get(i)));
      }
      sb.append(']');
    }
    o.end();
  }

  /**
   * The JSON of recently printed events by identity. The watch feed hands the same immutable {@link Event}
   * instance to every watcher it goes to (one with and one without prev_kv), so with a thousand watchers on a
   * key an event is encoded once per event loop instead of once per watcher, and only the small per-watcher
   * envelope (header, watch_id) is printed each time. Direct-mapped, per thread (no locking on the event
   * loops); large events are not kept, which bounds what a cache holds.
   */
  static final class EventCache {
    static final ThreadLocal<EventCache> CURRENT = ThreadLocal.withInitial(EventCache::new);
    private static final int SLOTS = 256;
    private static final int MAX_CACHED_CHARS = 16 * 1024;

    private final Event[] events = new Event[SLOTS];
    private final String[] json = new String[SLOTS];

    String json(Event e) {
      int slot = System.identityHashCode(e) & (SLOTS - 1);
      if (events[slot] == e) {
        return json[slot];
      }
      StringBuilder sb = new StringBuilder(64 + e.getKv().getValue().size() * 4 / 3);
      event(sb, e);
      String printed = sb.toString();
      if (printed.length() <= MAX_CACHED_CHARS) {
        events[slot] = e;
        json[slot] = printed;
      }
      return printed;
    }
  }

  /** One event; also the shared part of a watch response's events. */
  static void event(StringBuilder out, Event e) {
    Obj o = new Obj(out);
    switch (e.getTypeValue()) {
      case Event.EventType.PUT_VALUE -> { }
      case Event.EventType.DELETE_VALUE -> o.name("type").append("\"DELETE\"");
      default -> throw Unsupported.INSTANCE;
    }
    if (e.hasKv()) {
      keyValue(o.name("kv"), e.getKv());
    }
    if (e.hasPrevKv()) {
      keyValue(o.name("prev_kv"), e.getPrevKv());
    }
    o.end();
  }
}
