package io.keyway.store.mvcc;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.mvccpb.KeyValue;
import java.util.List;

/** etcd's txn compare semantics ({@code applyCompare} / {@code compareKV}). */
public final class Compares {
  private Compares() {}

  /**
   * Whether {@code c} holds for the keys its range selects ({@code kvs}): every key must satisfy it. With
   * no key, a VALUE compare fails and every other target compares against 0.
   */
  public static boolean holds(Compare c, List<KeyValue> kvs) {
    if (kvs.isEmpty()) {
      if (c.getTargetValue() == Compare.CompareTarget.VALUE_VALUE) {
        return false; // a missing value cannot be told from an empty one, so it never matches
      }
      return holds(c, KeyValue.getDefaultInstance());
    }
    for (KeyValue kv : kvs) {
      if (!holds(c, kv)) {
        return false;
      }
    }
    return true;
  }

  static boolean holds(Compare c, KeyValue kv) {
    int result;
    switch (c.getTargetValue()) {
      case Compare.CompareTarget.VALUE_VALUE -> {
        ByteString v = c.getTargetUnionCase() == Compare.TargetUnionCase.VALUE ? c.getValue() : ByteString.EMPTY;
        result = Integer.signum(ByteString.unsignedLexicographicalComparator().compare(kv.getValue(), v));
      }
      case Compare.CompareTarget.CREATE_VALUE -> result = Long.compare(kv.getCreateRevision(),
          c.getTargetUnionCase() == Compare.TargetUnionCase.CREATE_REVISION ? c.getCreateRevision() : 0);
      case Compare.CompareTarget.MOD_VALUE -> result = Long.compare(kv.getModRevision(),
          c.getTargetUnionCase() == Compare.TargetUnionCase.MOD_REVISION ? c.getModRevision() : 0);
      case Compare.CompareTarget.VERSION_VALUE -> result = Long.compare(kv.getVersion(),
          c.getTargetUnionCase() == Compare.TargetUnionCase.VERSION ? c.getVersion() : 0);
      case Compare.CompareTarget.LEASE_VALUE -> result = Long.compare(kv.getLease(),
          c.getTargetUnionCase() == Compare.TargetUnionCase.LEASE ? c.getLease() : 0);
      default -> result = 0; // unknown target: etcd leaves the result at "equal"
    }
    return switch (c.getResultValue()) {
      case Compare.CompareResult.EQUAL_VALUE -> result == 0;
      case Compare.CompareResult.NOT_EQUAL_VALUE -> result != 0;
      case Compare.CompareResult.GREATER_VALUE -> result > 0;
      case Compare.CompareResult.LESS_VALUE -> result < 0;
      default -> true; // unknown result: etcd's switch falls through to true
    };
  }
}
