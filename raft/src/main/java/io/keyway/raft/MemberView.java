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

  /** Index of the last entry in the local Raft log. */
  long raftIndex();

  /** Index of the last entry applied to the store. */
  long appliedIndex();

  /** Current store revision. */
  long revision();

  /** Bytes the backend uses on disk. */
  long dbSize();

  List<Member> members();

  /** Header with cluster id, member id, raft term and the current revision. */
  ResponseHeader header();
}
