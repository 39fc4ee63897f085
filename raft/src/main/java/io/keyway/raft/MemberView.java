package io.keyway.raft;

import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.ResponseHeader;
import java.util.List;

/** What this member knows of itself and its cluster, for Status, MemberList, health and response headers. */
public interface MemberView {
  long clusterId();

  long memberId();

  String name();

  /** Current Raft term. */
  long term();

  /** Member id of the current leader, or 0 when there is none. */
  long leaderId();

  boolean isLearner();

  /** Raft commit index as this member knows it (etcd's Status raftIndex). JRaft's own entries count too. */
  long raftIndex();

  /** Index of the last Raft entry applied to the store in full (etcd's Status raftAppliedIndex). */
  long appliedIndex();

  /** Current store revision. */
  long revision();

  /** Bytes the backend uses on disk. */
  long dbSize();

  /** The part of {@link #dbSize()} that holds live data (an estimate, etcd's dbSizeInUse). */
  long dbSizeInUse();

  List<Member> members();

  /** Header with cluster id, member id, raft term and the current revision. */
  ResponseHeader header();
}
