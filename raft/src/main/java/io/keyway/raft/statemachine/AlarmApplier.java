package io.keyway.raft.statemachine;

import io.keyway.api.EtcdException;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.raft.maintenance.AlarmTable;
import io.keyway.store.KvStore;

/**
 * The alarm part of the state machine: alarm requests change the alarm table; while NOSPACE or CORRUPT is
 * active the writes it forbids fail here, at apply time, so every member refuses the same ones. Other requests
 * go to {@code next}.
 */
public final class AlarmApplier implements RequestApplier {
  private final AlarmTable alarms;
  private final KvStore store;
  private final RequestApplier next;

  public AlarmApplier(AlarmTable alarms, KvStore store, RequestApplier next) {
    this.alarms = alarms;
    this.store = store;
    this.next = next;
  }

  @Override
  public Object apply(long index, int part, RaftRequest request) throws EtcdException {
    if (request.getRequestCase() == RaftRequest.RequestCase.ALARM) {
      return alarms.apply(index, part, request.getAlarm());
    }
    EtcdException refused = alarms.refusal(request);
    if (refused != null) {
      store.markApplied(index, part); // the refusal is the entry's result
      throw refused;
    }
    return next.apply(index, part, request);
  }
}
