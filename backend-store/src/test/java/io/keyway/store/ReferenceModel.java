package io.keyway.store;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.ResponseOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deliberately naive etcd key space for model-based testing: every key keeps its full list of versions
 * forever (compaction only moves the readable floor), reads scan everything, and a failed write is undone
 * by restoring a copy of the whole history. Written from etcd's rules, not from the store's code.
 */
final class ReferenceModel {
  private static final Comparator<ByteString> BYTES = ByteString.unsignedLexicographicalComparator();
  private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

  /** One version of a key; {@code kv == null} is a deletion. */
  record Ver(long main, KeyValue kv) {}

  TreeMap<ByteString, List<Ver>> history = new TreeMap<>(BYTES);
  long rev = 1;
  long compactRev = -1;
  final Set<Long> leases;
  /** Events of every revision, as the live feed reports them. */
  final Map<Long, List<Event>> feed = new HashMap<>();
  List<Event> lastEvents = List.of();

  ReferenceModel(Set<Long> leases) {
    this.leases = leases;
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  KeyValue at(ByteString key, long atRev) {
    List<Ver> vs = history.get(key);
    if (vs == null) {
      return null;
    }
    for (int i = vs.size() - 1; i >= 0; i--) {
      if (vs.get(i).main() <= atRev) {
        return vs.get(i).kv();
      }
    }
    return null;
  }

  static boolean inRange(ByteString k, ByteString key, ByteString end) {
    if (end.isEmpty()) {
      return k.equals(key);
    }
    if (end.equals(ZERO)) {
      return BYTES.compare(k, key) >= 0;
    }
    return BYTES.compare(k, key) >= 0 && BYTES.compare(k, end) < 0;
  }

  List<KeyValue> live(ByteString key, ByteString end, long atRev) {
    List<KeyValue> out = new ArrayList<>();
    for (ByteString k : history.keySet()) {
      if (inRange(k, key, end)) {
        KeyValue kv = at(k, atRev);
        if (kv != null) {
          out.add(kv);
        }
      }
    }
    return out;
  }

  RangeResponse range(RangeRequest r) {
    RequestChecks.checkRange(r);
    return range(r, rev, rev);
  }

  private RangeResponse range(RangeRequest r, long readRev, long header) {
    if (r.getRevision() > readRev) {
      throw EtcdError.FUTURE_REV.exception();
    }
    long atRev = r.getRevision() <= 0 ? readRev : r.getRevision();
    if (atRev < compactRev) {
      throw EtcdError.COMPACTED.exception();
    }
    List<KeyValue> kvs = live(r.getKey(), r.getRangeEnd(), atRev);
    long count = kvs.size();
    if (r.getCountOnly()) {
      kvs = new ArrayList<>();
    }
    kvs.removeIf(kv -> r.getMaxModRevision() != 0 && kv.getModRevision() > r.getMaxModRevision());
    kvs.removeIf(kv -> r.getMinModRevision() != 0 && kv.getModRevision() < r.getMinModRevision());
    kvs.removeIf(kv -> r.getMaxCreateRevision() != 0 && kv.getCreateRevision() > r.getMaxCreateRevision());
    kvs.removeIf(kv -> r.getMinCreateRevision() != 0 && kv.getCreateRevision() < r.getMinCreateRevision());
    int order = r.getSortOrderValue();
    if (order == 0 && r.getSortTargetValue() != 0) {
      order = 1;
    }
    if (order == 1 || order == 2) { // etcd 3.5 ignores other order numbers
      Comparator<KeyValue> c = switch (r.getSortTargetValue()) {
        case 0 -> (a, b) -> BYTES.compare(a.getKey(), b.getKey());
        case 1 -> Comparator.comparingLong(KeyValue::getVersion);
        case 2 -> Comparator.comparingLong(KeyValue::getCreateRevision);
        case 3 -> Comparator.comparingLong(KeyValue::getModRevision);
        default -> (a, b) -> BYTES.compare(a.getValue(), b.getValue());
      };
      kvs.sort(order == 2 ? c.reversed() : c);
    }
    RangeResponse.Builder b = RangeResponse.newBuilder().setHeader(header(header)).setCount(count);
    if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
      kvs = kvs.subList(0, (int) r.getLimit());
      b.setMore(true);
    }
    for (KeyValue kv : kvs) {
      b.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
    }
    return b.build();
  }

  Map<ByteString, Long> attachments() {
    Map<ByteString, Long> out = new HashMap<>();
    for (KeyValue kv : live(ZERO, ZERO, rev)) {
      if (kv.getLease() != 0) {
        out.put(kv.getKey(), kv.getLease());
      }
    }
    return out;
  }

  // ---- writes --------------------------------------------------------------------------------------------

  /** The state of one write in progress. */
  private final class Write {
    final long begin = rev;
    final List<Event> events = new ArrayList<>();

    long readRev() {
      return events.isEmpty() ? begin : begin + 1;
    }

    KeyValue get(ByteString key) {
      return at(key, readRev());
    }

    void put(ByteString key, ByteString value, long lease) {
      KeyValue prev = get(key);
      KeyValue kv = KeyValue.newBuilder().setKey(key).setValue(value)
          .setCreateRevision(prev == null ? begin + 1 : prev.getCreateRevision())
          .setModRevision(begin + 1)
          .setVersion(prev == null ? 1 : prev.getVersion() + 1)
          .setLease(lease)
          .build();
      Event.Builder e = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
      KeyValue before = at(key, begin);
      if (prev != null && before != null) {
        e.setPrevKv(before);
      }
      history.computeIfAbsent(key, k -> new ArrayList<>()).add(new Ver(begin + 1, kv));
      events.add(e.build());
    }

    void delete(ByteString key) {
      Event.Builder e = Event.newBuilder().setType(Event.EventType.DELETE)
          .setKv(KeyValue.newBuilder().setKey(key).setModRevision(begin + 1));
      KeyValue before = at(key, begin);
      if (before != null) {
        e.setPrevKv(before);
      }
      history.get(key).add(new Ver(begin + 1, null));
      events.add(e.build());
    }

    void commit() {
      lastEvents = List.copyOf(events);
      if (!events.isEmpty()) {
        rev = begin + 1;
        feed.put(rev, lastEvents);
      }
    }
  }

  /** Runs a write; on any failure the history is restored and the error rethrown. */
  private <T> T write(java.util.function.Function<Write, T> body) {
    TreeMap<ByteString, List<Ver>> saved = new TreeMap<>(BYTES);
    history.forEach((k, v) -> saved.put(k, new ArrayList<>(v)));
    lastEvents = List.of();
    Write w = new Write();
    try {
      T result = body.apply(w);
      w.commit();
      return result;
    } catch (RuntimeException e) {
      history = saved;
      throw e;
    }
  }

  PutResponse put(PutRequest p) {
    return write(w -> {
      RequestChecks.checkPut(p);
      if (p.getLease() != 0 && !leases.contains(p.getLease())) {
        throw EtcdError.LEASE_NOT_FOUND.exception();
      }
      return doPut(w, p);
    });
  }

  private PutResponse doPut(Write w, PutRequest p) {
    KeyValue prev = w.get(p.getKey());
    boolean ignore = p.getIgnoreValue() || p.getIgnoreLease();
    if (ignore && prev == null) {
      throw EtcdError.KEY_NOT_FOUND.exception();
    }
    w.put(p.getKey(), p.getIgnoreValue() ? prev.getValue() : p.getValue(),
        p.getIgnoreLease() ? prev.getLease() : p.getLease());
    PutResponse.Builder b = PutResponse.newBuilder().setHeader(header(w.begin + 1));
    if (p.getPrevKv() && prev != null) {
      b.setPrevKv(prev);
    }
    return b.build();
  }

  DeleteRangeResponse deleteRange(DeleteRangeRequest d) {
    return write(w -> {
      RequestChecks.checkDeleteRange(d);
      return doDelete(w, d);
    });
  }

  private DeleteRangeResponse doDelete(Write w, DeleteRangeRequest d) {
    List<KeyValue> victims = live(d.getKey(), d.getRangeEnd(), w.readRev());
    for (KeyValue kv : victims) {
      w.delete(kv.getKey());
    }
    DeleteRangeResponse.Builder b = DeleteRangeResponse.newBuilder().setDeleted(victims.size());
    if (d.getPrevKv()) {
      b.addAllPrevKvs(victims);
    }
    return b.setHeader(header(w.readRev())).build();
  }

  DeleteRangeResponse deleteKeys(List<ByteString> keys) {
    return write(w -> {
      long n = 0;
      for (ByteString k : new java.util.TreeSet<>(BYTES) {{ addAll(keys); }}) {
        if (w.get(k) != null) {
          w.delete(k);
          n++;
        }
      }
      return DeleteRangeResponse.newBuilder().setDeleted(n).setHeader(header(w.readRev())).build();
    });
  }

  TxnResponse txn(TxnRequest t, int maxOps) {
    return write(w -> {
      RequestChecks.checkTxn(t, maxOps);
      Map<TxnRequest, Boolean> decided = new java.util.IdentityHashMap<>();
      decide(w, t, decided);
      if (!RequestChecks.isReadOnly(t)) {
        checkPuts(w, t, decided);
      }
      checkRanges(w, t, decided);
      TxnResponse.Builder b = run(w, t, decided);
      return b.setHeader(header(w.readRev())).build();
    });
  }

  private void decide(Write w, TxnRequest t, Map<TxnRequest, Boolean> decided) {
    boolean ok = true;
    for (Compare c : t.getCompareList()) {
      ok &= holds(c, live(c.getKey(), c.getRangeEnd(), w.readRev()));
    }
    decided.put(t, ok);
    for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
      if (op.hasRequestTxn()) {
        decide(w, op.getRequestTxn(), decided);
      }
    }
  }

  private static boolean holds(Compare c, List<KeyValue> kvs) {
    if (kvs.isEmpty()) {
      if (c.getTarget() == Compare.CompareTarget.VALUE) {
        return false;
      }
      kvs = List.of(KeyValue.getDefaultInstance());
    }
    for (KeyValue kv : kvs) {
      int r = switch (c.getTarget()) {
        case VERSION -> Long.compare(kv.getVersion(), c.getVersion());
        case CREATE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
        case MOD -> Long.compare(kv.getModRevision(), c.getModRevision());
        case LEASE -> Long.compare(kv.getLease(), c.getLease());
        case VALUE -> BYTES.compare(kv.getValue(), c.getValue());
        default -> 0;
      };
      boolean ok = switch (c.getResult()) {
        case EQUAL -> r == 0;
        case NOT_EQUAL -> r != 0;
        case GREATER -> r > 0;
        case LESS -> r < 0;
        default -> true;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private void checkPuts(Write w, TxnRequest t, Map<TxnRequest, Boolean> decided) {
    for (RequestOp op : decided.get(t) ? t.getSuccessList() : t.getFailureList()) {
      if (op.hasRequestTxn()) {
        checkPuts(w, op.getRequestTxn(), decided);
      } else if (op.hasRequestPut()) {
        PutRequest p = op.getRequestPut();
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && w.get(p.getKey()) == null) {
          throw EtcdError.KEY_NOT_FOUND.exception();
        }
        if (p.getLease() != 0 && !leases.contains(p.getLease())) {
          throw EtcdError.LEASE_NOT_FOUND.exception();
        }
      }
    }
  }

  private void checkRanges(Write w, TxnRequest t, Map<TxnRequest, Boolean> decided) {
    for (RequestOp op : decided.get(t) ? t.getSuccessList() : t.getFailureList()) {
      if (op.hasRequestTxn()) {
        checkRanges(w, op.getRequestTxn(), decided);
      } else if (op.hasRequestRange() && op.getRequestRange().getRevision() != 0) {
        long r = op.getRequestRange().getRevision();
        if (r > w.begin) {
          throw EtcdError.FUTURE_REV.exception();
        }
        if (r < compactRev) {
          throw EtcdError.COMPACTED.exception();
        }
      }
    }
  }

  private TxnResponse.Builder run(Write w, TxnRequest t, Map<TxnRequest, Boolean> decided) {
    boolean ok = decided.get(t);
    TxnResponse.Builder b = TxnResponse.newBuilder().setSucceeded(ok);
    for (RequestOp op : ok ? t.getSuccessList() : t.getFailureList()) {
      ResponseOp.Builder r = ResponseOp.newBuilder();
      if (op.hasRequestRange()) {
        r.setResponseRange(range(op.getRequestRange(), w.readRev(), w.readRev()));
      } else if (op.hasRequestPut()) {
        r.setResponsePut(doPut(w, op.getRequestPut()));
      } else if (op.hasRequestDeleteRange()) {
        r.setResponseDeleteRange(doDelete(w, op.getRequestDeleteRange()));
      } else {
        r.setResponseTxn(run(w, op.getRequestTxn(), decided).setHeader(ResponseHeader.getDefaultInstance()));
      }
      b.addResponses(r);
    }
    return b;
  }

  CompactionResponse compact(CompactionRequest c) {
    lastEvents = List.of();
    if (c.getRevision() <= compactRev) {
      throw EtcdError.COMPACTED.exception();
    }
    if (c.getRevision() > rev) {
      throw EtcdError.FUTURE_REV.exception();
    }
    compactRev = c.getRevision();
    return CompactionResponse.newBuilder().setHeader(header(rev)).build();
  }

  static ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder().setRevision(revision).build();
  }
}
