package io.keyway.gateway.concurrency;

import io.keyway.api.v3electionpb.CampaignRequest;
import io.keyway.api.v3electionpb.LeaderRequest;
import io.keyway.api.v3electionpb.LeaderResponse;
import io.keyway.api.v3electionpb.ProclaimRequest;
import io.keyway.api.v3electionpb.ResignRequest;
import io.keyway.api.v3lockpb.LockRequest;
import io.keyway.api.v3lockpb.UnlockRequest;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.MemberClient;
import io.keyway.gateway.rpc.ServerStreamRpc;
import io.keyway.gateway.rpc.UnaryRpc;
import io.keyway.gateway.watch.WatchHub;

/**
 * etcd's Lock and Election services (v3lockpb, v3electionpb), built on the member's KV, Lease and Watch. As in
 * etcd, they are served as a client of the member: each call runs its recipe with its caller's client, so it
 * may do exactly what its KV and Lease requests may do for that caller.
 */
public final class ConcurrencyRpcs {
  public static final String LOCK = "v3lockpb.Lock";
  public static final String ELECTION = "v3electionpb.Election";

  private ConcurrencyRpcs() {}

  /** @param member the member's own client, for calls no gate decides on (auth not configured) */
  public static EtcdRpcs addTo(EtcdRpcs rpcs, MemberClient member, WatchHub watches) {
    return rpcs
        .add(UnaryRpc.asClient(LOCK, "Lock", LockRequest.getDefaultInstance(),
            (client, request) -> locks(client, watches).lock(request), member))
        .add(UnaryRpc.asClient(LOCK, "Unlock", UnlockRequest.getDefaultInstance(),
            (client, request) -> locks(client, watches).unlock(request), member))
        .add(UnaryRpc.asClient(ELECTION, "Campaign", CampaignRequest.getDefaultInstance(),
            (client, request) -> elections(client, watches).campaign(request), member))
        .add(UnaryRpc.asClient(ELECTION, "Proclaim", ProclaimRequest.getDefaultInstance(),
            (client, request) -> elections(client, watches).proclaim(request), member))
        .add(UnaryRpc.asClient(ELECTION, "Leader", LeaderRequest.getDefaultInstance(),
            (client, request) -> elections(client, watches).leader(request), member))
        .add(UnaryRpc.asClient(ELECTION, "Resign", ResignRequest.getDefaultInstance(),
            (client, request) -> elections(client, watches).resign(request), member))
        .addStream(ServerStreamRpc.<LeaderRequest, LeaderResponse>asClient(ELECTION, "Observe", LeaderRequest.getDefaultInstance(),
            (client, request, sink) -> elections(client, watches).observe(request, sink), member));
  }

  private static LockService locks(MemberClient client, WatchHub watches) {
    return new LockService(new Recipes(client, watches));
  }

  private static ElectionService elections(MemberClient client, WatchHub watches) {
    return new ElectionService(new Recipes(client, watches));
  }
}
