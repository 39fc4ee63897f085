package io.keyway.gateway.concurrency;

import io.keyway.api.v3electionpb.CampaignRequest;
import io.keyway.api.v3electionpb.LeaderRequest;
import io.keyway.api.v3electionpb.ProclaimRequest;
import io.keyway.api.v3electionpb.ResignRequest;
import io.keyway.api.v3lockpb.LockRequest;
import io.keyway.api.v3lockpb.UnlockRequest;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.ServerStreamRpc;
import io.keyway.gateway.rpc.UnaryRpc;
import io.keyway.gateway.watch.WatchHub;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;

/** etcd's Lock and Election services (v3lockpb, v3electionpb), built on the member's KV, Lease and Watch. */
public final class ConcurrencyRpcs {
  public static final String LOCK = "v3lockpb.Lock";
  public static final String ELECTION = "v3electionpb.Election";

  private ConcurrencyRpcs() {}

  public static EtcdRpcs addTo(EtcdRpcs rpcs, EtcdKv kv, EtcdLease lease, WatchHub watches) {
    Recipes recipes = new Recipes(kv, lease, watches);
    LockService locks = new LockService(recipes);
    ElectionService elections = new ElectionService(recipes);
    return rpcs
        .add(new UnaryRpc<>(LOCK, "Lock", LockRequest.getDefaultInstance(), locks::lock))
        .add(new UnaryRpc<>(LOCK, "Unlock", UnlockRequest.getDefaultInstance(), locks::unlock))
        .add(new UnaryRpc<>(ELECTION, "Campaign", CampaignRequest.getDefaultInstance(), elections::campaign))
        .add(new UnaryRpc<>(ELECTION, "Proclaim", ProclaimRequest.getDefaultInstance(), elections::proclaim))
        .add(new UnaryRpc<>(ELECTION, "Leader", LeaderRequest.getDefaultInstance(), elections::leader))
        .add(new UnaryRpc<>(ELECTION, "Resign", ResignRequest.getDefaultInstance(), elections::resign))
        .addStream(new ServerStreamRpc<>(ELECTION, "Observe", LeaderRequest.getDefaultInstance(),
            elections::observe));
  }
}
