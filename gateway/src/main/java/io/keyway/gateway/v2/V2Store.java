package io.keyway.gateway.v2;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * etcd's v2 store operations (get, set, create, update, compareAndSwap, delete, compareAndDelete) on the v3
 * keyspace. Each write reads what it depends on ({@link V2Snapshot}), decides exactly as etcd's v2 store decides,
 * and commits one Txn that carries the read's compares, the writes and the action record; a lost race re-reads
 * and decides again. The v2 index is the v3 revision.
 */
final class V2Store {
  /** etcd's MaxLeaseTTL: longer v2 TTLs are capped. */
  static final long MAX_TTL_SECONDS = 9_000_000_000L;
  private static final int MAX_ATTEMPTS = 32;

  private final V3Access v3;

  V2Store(V3Access v3) {
    this.v3 = v3;
  }

  /** A requested TTL: the expiration time, fixed when the request was parsed (as etcd does). */
  record Ttl(long seconds, long expireMillis) {}

  /** A planned write: the v3 operations, extra compares, and the event once committed at a revision. */
  private record Write(List<RequestOp> ops, List<Compare> compares, String action, String path,
      LongFunction<V2Event> event, long replacedLease) {}

  // ---- reads

  CompletableFuture<V2Event> get(String path, boolean recursive, boolean sorted) {
    return V2Snapshot.read(v3, List.of(path), path).thenApply(s -> {
      KeyValue kv = s.walk(path);
      V2Node node = kv == null ? new V2Node(null, null, true, null, 0, 0) : V2Node.of(kv);
      if (node.dir) {
        list(node, path, s.subtree(), recursive, sorted);
      }
      return new V2Event(V2Event.GET, node, null, s.revision);
    });
  }

  private static void list(V2Node top, String path, List<KeyValue> subtree, boolean recursive, boolean sorted) {
    ByteString marker = V2Keys.dir(path);
    Map<String, V2Node> dirs = new HashMap<>();
    dirs.put(path, top);
    List<V2Node> listed = new ArrayList<>();
    for (KeyValue kv : subtree) {
      if (kv.getKey().equals(marker) || !V2Keys.isNode(kv.getKey())) {
        continue;
      }
      String p = V2Keys.path(kv.getKey());
      V2Node parent = dirs.get(V2Paths.parent(p));
      if (parent == null || V2Paths.hiddenName(p)) {
        continue; // deeper than asked, inside a hidden directory, or left by an expired directory
      }
      V2Node node = V2Node.of(kv);
      parent.addChild(node);
      if (node.dir && recursive) {
        dirs.put(p, node);
        listed.add(node);
      }
    }
    if (sorted) {
      top.sortChildren();
      listed.forEach(V2Node::sortChildren);
    }
  }

  // ---- writes

  CompletableFuture<V2Event> set(String path, boolean dir, String value, Ttl ttl, boolean refresh) {
    return withLease(ttl, lease -> stm(List.of(path), null, s -> {
      KeyValue n;
      try {
        n = s.walk(path);
      } catch (V2Error e) {
        if (e.code() != V2Error.KEY_NOT_FOUND) {
          throw e;
        }
        n = null;
      }
      if (refresh) {
        if (n == null) {
          s.walk(path);
        }
      }
      String v = refresh ? valueOf(n) : value;
      return create(s, path, dir, v, true, lease, refresh ? "refresh" : V2Event.SET, V2Event.SET, refresh);
    }));
  }

  CompletableFuture<V2Event> create(String path, boolean dir, String value, boolean unique, Ttl ttl) {
    return withLease(ttl, lease -> stm(List.of(path), null, s -> {
      if (!unique) {
        return create(s, path, dir, value, false, lease, V2Event.CREATE, V2Event.CREATE, false);
      }
      String name = V2Paths.inOrderName(s.revision + 1);
      String item = V2Paths.clean(path + "/" + name);
      Write w = create(s, item, dir, value, false, lease, V2Event.CREATE, V2Event.CREATE, false);
      // the name must not exist, and no later-named item may have been created since the read: in-order keys
      // are then named in the order they commit
      List<Compare> cmps = new ArrayList<>(w.compares());
      cmps.add(absent(V2Keys.file(item)));
      cmps.add(absent(V2Keys.dir(item)));
      ByteString dirKey = V2Keys.dir(path);
      cmps.add(Compare.newBuilder().setKey(V2Keys.file(item)).setRangeEnd(V2Keys.prefixEnd(dirKey))
          .setTarget(Compare.CompareTarget.CREATE).setResult(Compare.CompareResult.LESS)
          .setCreateRevision(s.revision + 1).build());
      return new Write(w.ops(), cmps, w.action(), w.path(), w.event(), w.replacedLease());
    }));
  }

  /**
   * etcd's internalCreate: makes missing directories on the way (a file on the way is "not a directory"), then
   * the node; an existing node is replaced when {@code replace} (not a directory) or refused.
   */
  private Write create(V2Snapshot s, String path, boolean dir, String value, boolean replace, long lease,
      String recordedAction, String action, boolean refresh) {
    if (V2Paths.isRoot(path)) {
      throw new V2Error(V2Error.ROOT_READ_ONLY, "/", s.revision);
    }
    List<RequestOp> ops = new ArrayList<>();
    for (String a : V2Paths.ancestors(path)) {
      V2Snapshot.Kind kind = s.kind(a);
      if (kind == V2Snapshot.Kind.FILE) {
        throw new V2Error(V2Error.NOT_DIR, a, s.revision);
      }
      if (kind == V2Snapshot.Kind.MISSING) {
        ops.add(put(V2Keys.dir(a), "", 0));
      }
    }
    KeyValue prev = null;
    V2Snapshot.Kind kind = s.kind(path);
    if (kind != V2Snapshot.Kind.MISSING) {
      if (!replace) {
        throw new V2Error(V2Error.NODE_EXIST, path, s.revision);
      }
      if (kind == V2Snapshot.Kind.DIR) {
        throw new V2Error(V2Error.NOT_FILE, path, s.revision);
      }
      prev = s.kv(path);
      if (dir) {
        ops.add(delete(V2Keys.file(path)));
      }
    }
    ops.add(put(dir ? V2Keys.dir(path) : V2Keys.file(path), dir ? "" : value, lease));
    KeyValue p = prev;
    // a file put over a file keeps its v3 create revision; etcd's v2 store would give it a new createdIndex
    boolean keepsCreation = p != null && !dir;
    return new Write(ops, List.of(), recordedAction, path, rev -> new V2Event(action,
        new V2Node(path, dir ? null : value, dir, TtlLeases.expiration(lease), rev,
            keepsCreation ? p.getCreateRevision() : rev),
        p == null ? null : V2Node.of(p), rev, refresh), p == null ? 0 : p.getLease());
  }

  CompletableFuture<V2Event> update(String path, String value, Ttl ttl, boolean refresh) {
    return withLease(ttl, lease -> stm(List.of(path), null, s -> {
      if (V2Paths.isRoot(path)) {
        throw new V2Error(V2Error.ROOT_READ_ONLY, "/", s.revision);
      }
      KeyValue n = s.walk(path);
      boolean dir = V2Keys.isDirKey(n.getKey());
      if (dir && !value.isEmpty()) {
        throw new V2Error(V2Error.NOT_FILE, path, s.revision);
      }
      return rewrite(n, path, refresh ? valueOf(n) : value, lease, V2Event.UPDATE, refresh);
    }));
  }

  CompletableFuture<V2Event> compareAndSwap(String path, String prevValue, long prevIndex, String value, Ttl ttl,
      boolean refresh) {
    return withLease(ttl, lease -> stm(List.of(path), null, s -> {
      if (V2Paths.isRoot(path)) {
        throw new V2Error(V2Error.ROOT_READ_ONLY, "/", s.revision);
      }
      KeyValue n = s.walk(path);
      if (V2Keys.isDirKey(n.getKey())) {
        throw new V2Error(V2Error.NOT_FILE, path, s.revision);
      }
      checkPrevious(s, n, prevValue, prevIndex);
      return rewrite(n, path, refresh ? valueOf(n) : value, lease, V2Event.COMPARE_AND_SWAP, refresh);
    }));
  }

  private Write rewrite(KeyValue n, String path, String value, long lease, String action, boolean refresh) {
    boolean dir = V2Keys.isDirKey(n.getKey());
    return new Write(List.of(put(n.getKey(), dir ? "" : value, lease)), List.of(), refresh ? "refresh" : action,
        path, rev -> new V2Event(action, new V2Node(path, dir ? null : value, dir, TtlLeases.expiration(lease), rev,
            n.getCreateRevision()), V2Node.of(n), rev, refresh), n.getLease());
  }

  CompletableFuture<V2Event> delete(String path, boolean dir, boolean recursive) {
    boolean asDir = dir || recursive;
    return stm(List.of(path), path, s -> {
      if (V2Paths.isRoot(path)) {
        throw new V2Error(V2Error.ROOT_READ_ONLY, "/", s.revision);
      }
      KeyValue n = s.walk(path);
      boolean isDir = V2Keys.isDirKey(n.getKey());
      List<Compare> cmps = new ArrayList<>();
      RequestOp op;
      if (!isDir) {
        op = delete(n.getKey());
      } else {
        if (!asDir) {
          throw new V2Error(V2Error.NOT_FILE, path, s.revision);
        }
        if (!recursive) {
          if (s.hasChildren(path)) {
            throw new V2Error(V2Error.DIR_NOT_EMPTY, path, s.revision);
          }
          cmps.add(s.subtreeUnchanged(path));
        }
        op = RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(n.getKey()).setRangeEnd(V2Keys.prefixEnd(n.getKey()))).build();
      }
      return new Write(List.of(op), cmps, V2Event.DELETE, path, rev -> new V2Event(V2Event.DELETE,
          V2Node.bare(path, isDir, rev, n.getCreateRevision()), V2Node.of(n), rev), n.getLease());
    });
  }

  CompletableFuture<V2Event> compareAndDelete(String path, String prevValue, long prevIndex) {
    return stm(List.of(path), null, s -> {
      KeyValue n = s.walk(path);
      if (n == null || V2Keys.isDirKey(n.getKey())) {
        throw new V2Error(V2Error.NOT_FILE, n == null ? "" : path, s.revision);
      }
      checkPrevious(s, n, prevValue, prevIndex);
      return new Write(List.of(delete(n.getKey())), List.of(), V2Event.COMPARE_AND_DELETE, path,
          rev -> new V2Event(V2Event.COMPARE_AND_DELETE, V2Node.bare(path, false, rev, n.getCreateRevision()),
              V2Node.of(n), rev), n.getLease());
    });
  }

  /** etcd's node.Compare and its causes: "[prevValue != value]", "[prevIndex != modifiedIndex]", or both. */
  private static void checkPrevious(V2Snapshot s, KeyValue n, String prevValue, long prevIndex) {
    String value = valueOf(n);
    boolean indexMatch = prevIndex == 0 || n.getModRevision() == prevIndex;
    boolean valueMatch = prevValue.isEmpty() || value.equals(prevValue);
    if (indexMatch && valueMatch) {
      return;
    }
    String cause;
    if (indexMatch) {
      cause = "[" + prevValue + " != " + value + "]";
    } else if (valueMatch) {
      cause = "[" + prevIndex + " != " + n.getModRevision() + "]";
    } else {
      cause = "[" + prevValue + " != " + value + "] [" + prevIndex + " != " + n.getModRevision() + "]";
    }
    throw new V2Error(V2Error.TEST_FAILED, cause, s.revision);
  }

  // ---- the optimistic loop

  private CompletableFuture<V2Event> stm(List<String> paths, String subtreeOf, Function<V2Snapshot, Write> plan) {
    return attempt(paths, subtreeOf, plan, 1);
  }

  private CompletableFuture<V2Event> attempt(List<String> paths, String subtreeOf, Function<V2Snapshot, Write> plan,
      int attempt) {
    return V2Snapshot.read(v3, paths, subtreeOf).thenCompose(s -> {
      Write w = plan.apply(s);
      TxnRequest.Builder txn = TxnRequest.newBuilder().addAllCompare(s.compares()).addAllCompare(w.compares())
          .addAllSuccess(w.ops())
          .addSuccess(put(V2Keys.ACTION, w.action() + " " + w.path(), 0));
      return v3.txn(txn.build()).thenCompose(r -> {
        if (r.getSucceeded()) {
          long rev = r.getHeader().getRevision();
          if (TtlLeases.expiration(w.replacedLease()) != null) {
            v3.revokeQuietly(w.replacedLease()); // its node now has another lease or none
          }
          return CompletableFuture.completedFuture(w.event().apply(rev));
        }
        if (attempt >= MAX_ATTEMPTS) {
          return CompletableFuture.failedFuture(new V2Error(V2Error.RAFT_INTERNAL, "too much contention", 0));
        }
        return attempt(paths, subtreeOf, plan, attempt + 1);
      });
    });
  }

  /** Grants the TTL's lease (a fresh id when one is taken) before {@code op}; revokes it when nothing used it. */
  private CompletableFuture<V2Event> withLease(Ttl ttl, Function<Long, CompletableFuture<V2Event>> op) {
    if (ttl == null) {
      return op.apply(0L);
    }
    return grant(ttl, 0).thenCompose(lease -> op.apply(lease).whenComplete((event, failure) -> {
      if (failure != null) {
        v3.revokeQuietly(lease);
      }
    }));
  }

  private CompletableFuture<Long> grant(Ttl ttl, int attempt) {
    long id = TtlLeases.newId(ttl.expireMillis());
    return v3.grant(id, Math.min(MAX_TTL_SECONDS, ttl.seconds())).handle((granted, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(granted);
      }
      Throwable t = unwrap(failure);
      if (t instanceof EtcdException e && e.error() == EtcdError.LEASE_EXIST && attempt < 8) {
        return grant(ttl, attempt + 1);
      }
      return CompletableFuture.<Long>failedFuture(t);
    }).thenCompose(f -> f);
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String valueOf(KeyValue n) {
    return n == null ? "" : n.getValue().toString(StandardCharsets.UTF_8);
  }

  private static RequestOp put(ByteString key, String value, long lease) {
    return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key)
        .setValue(ByteString.copyFromUtf8(value)).setLease(lease)).build();
  }

  private static RequestOp delete(ByteString key) {
    return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)).build();
  }

  private static Compare absent(ByteString key) {
    return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.VERSION)
        .setResult(Compare.CompareResult.EQUAL).setVersion(0).build();
  }

  static Instant now() {
    return Instant.now();
  }
}
