package io.keyway.raft.maintenance;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmRequest;
import io.keyway.api.etcdserverpb.AlarmResponse;
import io.keyway.api.etcdserverpb.AlarmType;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.store.ChangeListener;
import io.keyway.store.KvStore;
import io.keyway.store.StoreFailedException;
import io.keyway.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The replicated alarm table (etcd's alarmStore): which member raised which alarm. Changed only by applied
 * {@code alarm} requests and persisted in the store with the applied position, so every member holds the same
 * table and the same writes are refused everywhere while an alarm is active (etcd's capped and corrupt
 * appliers). The table is cached in memory and reloaded when a Raft snapshot replaces the store.
 */
public final class AlarmTable implements ChangeListener {
  static final String RECORD = "alarms";
  private static final Comparator<AlarmMember> ORDER =
      Comparator.comparingInt(AlarmMember::getAlarmValue).thenComparing(AlarmMember::getMemberID, Long::compareUnsigned);

  private final KvStore store;
  private volatile List<AlarmMember> active;

  private AlarmTable(KvStore store) {
    this.store = store;
    this.active = load(store);
  }

  /** Loads the table from {@code store} and follows it across snapshot installs. */
  public static AlarmTable open(KvStore store) {
    AlarmTable table = new AlarmTable(store);
    store.addChangeListener(table);
    return table;
  }

  /** The active alarms of type {@code type}, all of them for {@code NONE}. */
  public List<AlarmMember> get(AlarmType type) {
    List<AlarmMember> all = active;
    if (type == AlarmType.NONE) {
      return all;
    }
    return all.stream().filter(a -> a.getAlarm() == type).toList();
  }

  public boolean isActive(AlarmType type) {
    return active.stream().anyMatch(a -> a.getAlarm() == type);
  }

  /**
   * The error an active alarm makes {@code request} fail with, or null when it may be applied. Checked at apply
   * time (the decision every member agrees on) and before proposing (to refuse early).
   */
  public EtcdException refusal(RaftRequest request) {
    List<AlarmMember> all = active;
    if (all.isEmpty()) {
      return null;
    }
    if (isActive(AlarmType.CORRUPT) && switch (request.getRequestCase()) {
      case PUT, DELETE_RANGE, TXN, COMPACTION, LEASE_GRANT, LEASE_REVOKE -> true;
      default -> false;
    }) {
      return EtcdError.CORRUPT.exception();
    }
    if (isActive(AlarmType.NOSPACE) && switch (request.getRequestCase()) {
      case PUT, LEASE_GRANT -> true;
      case TXN -> hasPut(request.getTxn());
      default -> false;
    }) {
      return EtcdError.NO_SPACE.exception();
    }
    return null;
  }

  private static boolean hasPut(TxnRequest txn) {
    for (List<RequestOp> ops : List.of(txn.getSuccessList(), txn.getFailureList())) {
      for (RequestOp op : ops) {
        if (op.hasRequestPut() || (op.hasRequestTxn() && hasPut(op.getRequestTxn()))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Applies an alarm request (apply thread only), as etcd's applier does: GET lists the alarms of a type (all
   * for NONE); ACTIVATE adds the member's alarm and answers it (activating NONE changes nothing and answers no
   * alarm); DEACTIVATE removes it and answers it, or answers no alarm when it was not active.
   */
  public AlarmResponse apply(long index, int part, AlarmRequest request) {
    AlarmResponse.Builder out = AlarmResponse.newBuilder();
    AlarmMember member = AlarmMember.newBuilder()
        .setMemberID(request.getMemberID()).setAlarm(request.getAlarm()).build();
    List<AlarmMember> next = new ArrayList<>(active);
    switch (request.getAction()) {
      case ACTIVATE -> {
        if (request.getAlarm() == AlarmType.NONE || request.getAlarm() == AlarmType.UNRECOGNIZED) {
          store.markApplied(index, part);
          return out.build();
        }
        if (!next.contains(member)) {
          next.add(member);
        }
        out.addAlarms(member);
      }
      case DEACTIVATE -> {
        if (next.remove(member)) {
          out.addAlarms(member);
        }
      }
      default -> {
        store.markApplied(index, part);
        return out.addAllAlarms(get(request.getAlarm())).build();
      }
    }
    next.sort(ORDER);
    if (store.putRecord(index, part, RECORD, AlarmResponse.newBuilder().addAllAlarms(next).build().toByteArray())) {
      active = List.copyOf(next);
    }
    return out.build();
  }

  @Override
  public void onCommit(long revision, List<Event> events) {}

  @Override
  public void onCommit(long revision, List<Event> events, java.util.function.Supplier<List<Event>> withPrevKv) {
    // nothing to do, and above all no read of the previous values
  }

  @Override
  public void storeReplaced() {
    active = load(store);
  }

  private static List<AlarmMember> load(KvStore store) {
    byte[] bytes = store.record(RECORD);
    if (bytes == null) {
      return List.of();
    }
    try {
      List<AlarmMember> all = new ArrayList<>(AlarmResponse.parseFrom(bytes).getAlarmsList());
      all.sort(ORDER);
      return List.copyOf(all);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreFailedException("corrupt alarm table: " + e.getMessage(), e);
    }
  }
}
