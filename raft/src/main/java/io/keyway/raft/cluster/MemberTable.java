package io.keyway.raft.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.MemberListResponse;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.raftpb.MemberChange;
import io.keyway.store.ChangeListener;
import io.keyway.store.KvStore;
import io.keyway.store.StoreFailedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The replicated member list (etcd's RaftCluster): ids, names, peer and client URLs and learner flags. Changed
 * only by applied {@link MemberChange}s and persisted in the store with the applied position, so every member
 * holds the same list; JRaft's configuration is made to follow it by the leader ({@link Reconciler}).
 *
 * <p>Until the first {@code INIT} is applied the table is empty and answers with the bootstrap members this
 * member computed from its flags; changes other than {@code INIT} are refused then ("not capable": retry).
 */
public final class MemberTable implements ChangeListener {
  /** The store record holding the table (a restored snapshot drops it: the new cluster is another). */
  public static final String RECORD = "members";

  private final KvStore store;
  private final List<Member> bootstrap;
  private volatile List<Member> members;
  private volatile Consumer<List<Member>> onChange = m -> {};

  private MemberTable(KvStore store, List<Member> bootstrap) {
    this.store = store;
    this.bootstrap = List.copyOf(bootstrap);
    this.members = load(store);
  }

  /** Loads the table from {@code store} and follows it across snapshot installs. */
  public static MemberTable open(KvStore store, List<Member> bootstrap) {
    MemberTable table = new MemberTable(store, bootstrap);
    store.addChangeListener(table);
    return table;
  }

  /** Called (on the apply thread) after every change of the list. */
  public void onChange(Consumer<List<Member>> listener) {
    this.onChange = listener;
  }

  /** Whether an INIT was applied: the list is the cluster's, not this member's bootstrap guess. */
  public boolean initialized() {
    return members != null;
  }

  /** The members, in the order they joined. */
  public List<Member> members() {
    List<Member> m = members;
    return m != null ? m : bootstrap;
  }

  public Member find(long id) {
    for (Member m : members()) {
      if (m.getID() == id) {
        return m;
      }
    }
    return null;
  }

  /** The bootstrap members as an INIT change, for the first leader of a cluster whose table is empty. */
  public MemberChange initChange() {
    return MemberChange.newBuilder().setKind(MemberChange.Kind.INIT).addAllMembers(bootstrap).build();
  }

  /**
   * Applies a change (apply thread only) with etcd's checks; returns the members afterwards. A refusal is the
   * entry's deterministic result: the position is marked applied and the error thrown.
   */
  public MemberListResponse apply(long index, int part, MemberChange change) throws EtcdException {
    List<Member> current = members;
    if (change.getKind() == MemberChange.Kind.INIT) {
      if (current != null) {
        store.markApplied(index, part);
        return list(current);
      }
      return write(index, part, change.getMembersList());
    }
    if (current == null) {
      throw refuse(index, part, EtcdError.NOT_CAPABLE);
    }
    Member m = change.getMember();
    List<Member> next = new ArrayList<>(current);
    int at = indexOf(current, m.getID());
    switch (change.getKind()) {
      case ADD -> {
        if (at >= 0) {
          throw refuse(index, part, EtcdError.MEMBER_EXIST);
        }
        if (urlsTaken(current, m.getID(), m.getPeerURLsList())) {
          throw refuse(index, part, EtcdError.PEER_URL_EXIST);
        }
        if (m.getIsLearner() && change.getMaxLearners() > 0
            && current.stream().filter(Member::getIsLearner).count() >= change.getMaxLearners()) {
          throw refuse(index, part, EtcdError.TOO_MANY_LEARNERS);
        }
        next.add(m.toBuilder().clearName().clearClientURLs().build());
      }
      case REMOVE -> {
        if (at < 0) {
          throw refuse(index, part, EtcdError.MEMBER_NOT_FOUND);
        }
        next.remove(at);
      }
      case UPDATE -> {
        if (at < 0) {
          throw refuse(index, part, EtcdError.MEMBER_NOT_FOUND);
        }
        if (urlsTaken(current, m.getID(), m.getPeerURLsList())) {
          throw refuse(index, part, EtcdError.PEER_URL_EXIST);
        }
        // etcd 3.4 dropped the learner flag here; 3.5.31/3.6.12 keep it, and so do we
        next.set(at, current.get(at).toBuilder().clearPeerURLs().addAllPeerURLs(m.getPeerURLsList()).build());
      }
      case PROMOTE -> {
        if (at < 0) {
          throw refuse(index, part, EtcdError.MEMBER_NOT_FOUND);
        }
        if (!current.get(at).getIsLearner()) {
          throw refuse(index, part, EtcdError.MEMBER_NOT_LEARNER);
        }
        next.set(at, current.get(at).toBuilder().setIsLearner(false).build());
      }
      case PUBLISH -> {
        if (at < 0) {
          throw refuse(index, part, EtcdError.MEMBER_NOT_FOUND);
        }
        next.set(at, current.get(at).toBuilder().setName(m.getName())
            .clearClientURLs().addAllClientURLs(m.getClientURLsList()).build());
      }
      default -> throw refuse(index, part, EtcdError.NOT_CAPABLE);
    }
    return write(index, part, next);
  }

  private MemberListResponse write(long index, int part, List<Member> next) {
    MemberListResponse list = list(next);
    if (store.putRecord(index, part, RECORD, list.toByteArray())) {
      members = List.copyOf(next);
      onChange.accept(members);
    }
    return list(members());
  }

  private EtcdException refuse(long index, int part, EtcdError error) {
    store.markApplied(index, part);
    return error.exception();
  }

  private static int indexOf(List<Member> members, long id) {
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i).getID() == id) {
        return i;
      }
    }
    return -1;
  }

  private static boolean urlsTaken(List<Member> members, long except, List<String> urls) {
    Set<String> wanted = new HashSet<>(urls);
    for (Member m : members) {
      if (m.getID() != except && m.getPeerURLsList().stream().anyMatch(wanted::contains)) {
        return true;
      }
    }
    return false;
  }

  private static MemberListResponse list(List<Member> members) {
    return MemberListResponse.newBuilder().addAllMembers(members).build();
  }

  @Override
  public void onCommit(long revision, List<Event> events) {}

  @Override
  public void onCommit(long revision, List<Event> events, java.util.function.Supplier<List<Event>> withPrevKv) {
    // nothing to do, and above all no read of the previous values
  }

  @Override
  public void storeReplaced() {
    members = load(store);
    onChange.accept(members());
  }

  private static List<Member> load(KvStore store) {
    byte[] bytes = store.record(RECORD);
    if (bytes == null) {
      return null;
    }
    try {
      return List.copyOf(MemberListResponse.parseFrom(bytes).getMembersList());
    } catch (InvalidProtocolBufferException e) {
      throw new StoreFailedException("corrupt member table: " + e.getMessage(), e);
    }
  }
}
