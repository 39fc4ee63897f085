package io.keyway.gateway.v2;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.ResponseOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What one v2 operation needs to know of the tree, read in one linearizable read-only Txn at one revision: the
 * file and directory keys of a path and of every directory above it, and optionally the path's whole subtree.
 * A write planned from a snapshot carries {@link #compares()}, so it commits only if none of what was read has
 * changed since (the v2 store's single lock, as optimistic concurrency on Raft).
 */
final class V2Snapshot {
  enum Kind { FILE, DIR, MISSING }

  final long revision;
  private final Map<ByteString, KeyValue> keys;
  private final List<KeyValue> subtree;

  private V2Snapshot(long revision, Map<ByteString, KeyValue> keys, List<KeyValue> subtree) {
    this.revision = revision;
    this.keys = keys;
    this.subtree = subtree;
  }

  /**
   * @param paths the nodes to read (with the directories above them)
   * @param subtreeOf read every key under this directory path too; null for none
   */
  static CompletableFuture<V2Snapshot> read(V3Access v3, List<String> paths, String subtreeOf) {
    Set<ByteString> wanted = new LinkedHashSet<>();
    for (String p : paths) {
      for (String node : V2Paths.selfAndAncestors(p)) {
        if (!V2Paths.isRoot(node)) {
          wanted.add(V2Keys.file(node));
          wanted.add(V2Keys.dir(node));
        }
      }
    }
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    List<ByteString> order = new ArrayList<>(wanted);
    for (ByteString key : order) {
      txn.addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)));
    }
    if (subtreeOf != null) {
      ByteString start = V2Keys.dir(subtreeOf);
      txn.addSuccess(RequestOp.newBuilder().setRequestRange(
          RangeRequest.newBuilder().setKey(start).setRangeEnd(V2Keys.prefixEnd(start))));
    }
    return v3.txn(txn.build()).thenApply(resp -> decode(resp, order, subtreeOf != null));
  }

  private static V2Snapshot decode(TxnResponse resp, List<ByteString> order, boolean withSubtree) {
    Map<ByteString, KeyValue> keys = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      ResponseOp op = resp.getResponses(i);
      keys.put(order.get(i), op.getResponseRange().getKvsCount() > 0 ? op.getResponseRange().getKvs(0) : null);
    }
    List<KeyValue> subtree = withSubtree ? resp.getResponses(order.size()).getResponseRange().getKvsList() : null;
    return new V2Snapshot(resp.getHeader().getRevision(), keys, subtree);
  }

  Kind kind(String path) {
    if (V2Paths.isRoot(path)) {
      return Kind.DIR;
    }
    if (keys.get(V2Keys.file(path)) != null) {
      return Kind.FILE;
    }
    return keys.get(V2Keys.dir(path)) != null ? Kind.DIR : Kind.MISSING;
  }

  /** The key holding node {@code path} (file or directory); null when missing or root. */
  KeyValue kv(String path) {
    KeyValue file = keys.get(V2Keys.file(path));
    return file != null ? file : keys.get(V2Keys.dir(path));
  }

  /**
   * etcd's internalGet: walks from the root; a file on the way is "not a directory" (cause: that file), a missing
   * node "key not found" (cause: the first missing path).
   *
   * @return the node's key, null for the root
   */
  KeyValue walk(String path) {
    for (String node : V2Paths.selfAndAncestors(path)) {
      if (V2Paths.isRoot(node)) {
        continue;
      }
      String parent = V2Paths.parent(node);
      if (kind(parent) == Kind.FILE) {
        throw new V2Error(V2Error.NOT_DIR, parent, revision);
      }
      if (kind(node) == Kind.MISSING) {
        throw new V2Error(V2Error.KEY_NOT_FOUND, node, revision);
      }
    }
    return kv(path);
  }

  /** The keys under the subtree read, in key order (the directory's own key first). */
  List<KeyValue> subtree() {
    return subtree;
  }

  /** Whether directory {@code path} has any child, hidden ones included. */
  boolean hasChildren(String path) {
    ByteString marker = V2Keys.dir(path);
    for (KeyValue kv : subtree) {
      if (!kv.getKey().equals(marker)) {
        return true;
      }
    }
    return false;
  }

  /** Commit only if every key read is as it was (absent keys still absent). */
  List<Compare> compares() {
    List<Compare> out = new ArrayList<>(keys.size());
    for (Map.Entry<ByteString, KeyValue> e : keys.entrySet()) {
      out.add(Compare.newBuilder().setKey(e.getKey()).setTarget(Compare.CompareTarget.MOD)
          .setResult(Compare.CompareResult.EQUAL)
          .setModRevision(e.getValue() == null ? 0 : e.getValue().getModRevision()).build());
    }
    return out;
  }

  /** Commit only if nothing under directory {@code path} was written since the read. */
  Compare subtreeUnchanged(String path) {
    ByteString start = V2Keys.dir(path);
    return Compare.newBuilder().setKey(start).setRangeEnd(V2Keys.prefixEnd(start))
        .setTarget(Compare.CompareTarget.MOD).setResult(Compare.CompareResult.LESS)
        .setModRevision(revision + 1).build();
  }
}
