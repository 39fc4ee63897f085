package io.keyway.store.mvcc;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.mvccpb.KeyValue;
import io.keyway.store.index.KeyIndex;
import io.keyway.store.index.TreeIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * etcd's Range (applier {@code Range} over mvcc {@code rangeKeys}), split in two phases so that readers hold
 * the store lock only while they consult the index: {@link #resolve} picks the visible revisions and counts
 * the range, then the caller loads the values (from a consistent snapshot), then {@link #finish} filters,
 * sorts, truncates and builds the response.
 */
public final class RangeQuery {
  private RangeQuery() {}

  /**
   * Result of the index phase.
   *
   * @param revisions      visible revisions in key order (at most the fetch limit)
   * @param total          keys in the range at the read revision, ignoring limit and filters
   * @param headerRevision the revision the response header carries
   */
  public record Resolved(List<Revision> revisions, long total, long headerRevision) {}

  /** Index phase of a RangeRequest: revision checks, then etcd's fetch limit rules. */
  public static Resolved resolve(TreeIndex index, RangeRequest r, long curRev, long compactRev) {
    long limit = r.getLimit();
    if (r.getSortOrderValue() != RangeRequest.SortOrder.NONE_VALUE || hasFilters(r)) {
      limit = 0; // fetch everything; sort and truncate afterwards
    }
    if (limit > 0) {
      limit++; // one extra for 'more'
    }
    return resolveKeys(index, KeyRange.of(r.getKey(), r.getRangeEnd()), r.getRevision(), curRev, compactRev,
        limit, r.getCountOnly());
  }

  /**
   * mvcc {@code rangeKeys}: {@code rev > curRev} is a future revision, {@code rev <= 0} the current one,
   * below the compaction revision compacted; the revision of a compaction itself stays readable.
   */
  public static Resolved resolveKeys(TreeIndex index, KeyRange range, long rev, long curRev, long compactRev,
      long limit, boolean countOnly) {
    if (rev > curRev) {
      throw EtcdError.FUTURE_REV.exception();
    }
    long atRev = rev <= 0 ? curRev : rev;
    if (atRev < compactRev) {
      throw EtcdError.COMPACTED.exception();
    }
    List<Revision> revs = new ArrayList<>();
    long total = 0;
    for (KeyIndex ki : index.in(range)) {
      Revision visible = ki.visibleAt(atRev);
      if (visible == null) {
        continue;
      }
      total++;
      if (!countOnly && (limit <= 0 || revs.size() < limit)) {
        revs.add(visible);
      }
    }
    return new Resolved(revs, total, curRev);
  }

  /** Value phase: {@code kvs} are the values of {@code resolved.revisions()}, in order. */
  public static RangeResponse finish(RangeRequest r, Resolved resolved, List<KeyValue> kvs) {
    List<KeyValue> out = new ArrayList<>(kvs);
    prune(out, r.getMaxModRevision() != 0, kv -> kv.getModRevision() > r.getMaxModRevision());
    prune(out, r.getMinModRevision() != 0, kv -> kv.getModRevision() < r.getMinModRevision());
    prune(out, r.getMaxCreateRevision() != 0, kv -> kv.getCreateRevision() > r.getMaxCreateRevision());
    prune(out, r.getMinCreateRevision() != 0, kv -> kv.getCreateRevision() < r.getMinCreateRevision());

    int order = r.getSortOrderValue();
    int target = r.getSortTargetValue();
    if (target != RangeRequest.SortTarget.KEY_VALUE && order == RangeRequest.SortOrder.NONE_VALUE) {
      // the index yields keys in ascending order; any other target implies ascending
      order = RangeRequest.SortOrder.ASCEND_VALUE;
    }
    // etcd 3.5 sorts only for ASCEND and DESCEND; any other order number leaves key order untouched
    if (order == RangeRequest.SortOrder.ASCEND_VALUE || order == RangeRequest.SortOrder.DESCEND_VALUE) {
      Comparator<KeyValue> cmp = sorter(target);
      if (order == RangeRequest.SortOrder.DESCEND_VALUE) {
        cmp = cmp.reversed();
      }
      out.sort(cmp); // stable: ties keep key order, as Go's insertion sort does for small results
    }

    RangeResponse.Builder resp = RangeResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(resolved.headerRevision()))
        .setCount(resolved.total());
    if (r.getLimit() > 0 && out.size() > r.getLimit()) {
      out = out.subList(0, (int) r.getLimit());
      resp.setMore(true);
    }
    for (KeyValue kv : out) {
      resp.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
    }
    return resp.build();
  }

  static boolean hasFilters(RangeRequest r) {
    return r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
        || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
  }

  private static void prune(List<KeyValue> kvs, boolean active, Predicate<KeyValue> drop) {
    if (active) {
      kvs.removeIf(drop);
    }
  }

  private static Comparator<KeyValue> sorter(int target) {
    Comparator<ByteString> bytes = ByteString.unsignedLexicographicalComparator();
    return switch (target) {
      case RangeRequest.SortTarget.KEY_VALUE -> (a, b) -> bytes.compare(a.getKey(), b.getKey());
      case RangeRequest.SortTarget.VERSION_VALUE -> Comparator.comparingLong(KeyValue::getVersion);
      case RangeRequest.SortTarget.CREATE_VALUE -> Comparator.comparingLong(KeyValue::getCreateRevision);
      case RangeRequest.SortTarget.MOD_VALUE -> Comparator.comparingLong(KeyValue::getModRevision);
      case RangeRequest.SortTarget.VALUE_VALUE -> (a, b) -> bytes.compare(a.getValue(), b.getValue());
      default -> throw EtcdError.INVALID_SORT_OPTION.exception();
    };
  }
}
