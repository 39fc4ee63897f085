package io.keyway.gateway.rpc;

import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdLease;

/**
 * The member's KV and Lease services as one client uses them: what etcd's in-process clientv3 is to its lock
 * and election servers. Those servers run every step of a recipe through a client that carries the caller's
 * token, so each step is checked exactly like the same request sent directly; {@link RpcGate#clientFor} makes
 * that client here. Without a gate the recipes use the member's own services unchecked.
 */
public record MemberClient(EtcdKv kv, EtcdLease lease) {}
