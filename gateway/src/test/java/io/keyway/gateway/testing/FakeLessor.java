package io.keyway.gateway.testing;

import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.LeaseLeasesRequest;
import io.keyway.api.etcdserverpb.LeaseLeasesResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeResponse;
import io.keyway.api.etcdserverpb.LeaseStatus;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.raft.EtcdLease;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An in-memory Lease service for transport tests: etcd's answers (minimum TTL 2, TTL 0 / -1 for unknown
 * leases, etcd's errors) without clocks. Keep-alives of the ids in {@link #failingKeepAlives} fail with
 * {@link #keepAliveFailure}; every keep-alive answered is counted in {@link #keepAlives}.
 */
public final class FakeLessor implements EtcdLease, AutoCloseable {
  private final FakeMember member;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fake-lessor");
    t.setDaemon(true);
    return t;
  });
  private final Map<Long, Long> ttls = new ConcurrentSkipListMap<>();
  private final AtomicLong nextId = new AtomicLong(0x1000);
  public final Set<Long> failingKeepAlives = ConcurrentHashMap.newKeySet();
  public volatile EtcdException keepAliveFailure = EtcdError.NO_LEADER.exception();
  public final AtomicLong keepAlives = new AtomicLong();

  public FakeLessor(FakeMember member) {
    this.member = member;
  }

  private <T> CompletableFuture<T> async(Supplier<T> op) {
    return CompletableFuture.supplyAsync(op, thread);
  }

  @Override
  public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest r) {
    return async(() -> {
      if (r.getTTL() > 9_000_000_000L) {
        throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
      }
      long id = r.getID() != 0 ? r.getID() : nextId.incrementAndGet();
      long ttl = Math.max(2, r.getTTL());
      if (ttls.putIfAbsent(id, ttl) != null) {
        throw EtcdError.LEASE_EXIST.exception();
      }
      return LeaseGrantResponse.newBuilder().setHeader(member.header()).setID(id).setTTL(ttl).build();
    });
  }

  @Override
  public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest r) {
    return async(() -> {
      if (ttls.remove(r.getID()) == null) {
        throw EtcdError.LEASE_NOT_FOUND.exception();
      }
      return LeaseRevokeResponse.newBuilder().setHeader(member.header()).build();
    });
  }

  @Override
  public CompletableFuture<LeaseKeepAliveResponse> keepAlive(long id) {
    return async(() -> {
      if (failingKeepAlives.contains(id)) {
        throw keepAliveFailure;
      }
      keepAlives.incrementAndGet();
      Long ttl = ttls.get(id);
      return LeaseKeepAliveResponse.newBuilder().setHeader(member.header()).setID(id)
          .setTTL(ttl == null ? 0 : ttl).build();
    });
  }

  @Override
  public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest r) {
    return async(() -> {
      Long ttl = ttls.get(r.getID());
      LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder().setHeader(member.header())
          .setID(r.getID());
      return (ttl == null ? b.setTTL(-1) : b.setTTL(ttl).setGrantedTTL(ttl)).build();
    });
  }

  @Override
  public CompletableFuture<LeaseLeasesResponse> leases(LeaseLeasesRequest r) {
    return async(() -> {
      LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder().setHeader(member.header());
      ttls.keySet().forEach(id -> b.addLeases(LeaseStatus.newBuilder().setID(id)));
      return b.build();
    });
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
