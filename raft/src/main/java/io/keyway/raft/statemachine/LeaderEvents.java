package io.keyway.raft.statemachine;

/**
 * Leadership changes as the state machine learns them from Raft, for the parts of a member that only run on
 * the leader (the lessor's expiry clocks). Called on Raft threads: implementations must be quick and must not
 * call back into Raft.
 */
public interface LeaderEvents {
  /**
   * This member leads and has applied the first entry of its term, hence everything committed before it
   * (where etcd promotes its lessor).
   */
  void leaderReady();

  /** This member does not lead (any more): another member does, or none is known. */
  void notLeader();

  LeaderEvents NONE = new LeaderEvents() {
    @Override public void leaderReady() {}
    @Override public void notLeader() {}
  };
}
