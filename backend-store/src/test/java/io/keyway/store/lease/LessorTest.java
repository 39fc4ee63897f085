package io.keyway.store.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrantResponse;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.mvccpb.Event;
import io.keyway.store.KvStore;
import io.keyway.store.LeaseRecord;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LessorTest {
  private static final long MIN_TTL = 2;

  @TempDir Path dir;
  private RocksKvStore store;
  private Lessor lessor;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private long index;
  private final List<Long> revisions = new ArrayList<>();
  private final List<List<Event>> events = new ArrayList<>();

  @BeforeEach
  void open() {
    store = RocksKvStore.open(dir, StoreOptions.defaults());
    store.addChangeListener((rev, evs) -> {
      revisions.add(rev);
      events.add(evs);
    });
    lessor = Lessor.open(store, MIN_TTL, now::get);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void reopen() {
    store.close();
    open();
  }

  private static ByteString bs(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  private LeaseGrantResponse grant(long id, long ttl) {
    return lessor.grant(++index, KvStore.WHOLE_ENTRY, LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl).build());
  }

  private long revoke(long id) {
    return lessor.revoke(++index, KvStore.WHOLE_ENTRY, LeaseRevokeRequest.newBuilder().setID(id).build())
        .getHeader().getRevision();
  }

  private long put(String key, long lease) {
    return store.put(++index, PutRequest.newBuilder().setKey(bs(key)).setValue(bs("v")).setLease(lease).build())
        .getHeader().getRevision();
  }

  private List<String> keys() {
    List<String> out = new ArrayList<>();
    store.range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
        .setRangeEnd(ByteString.copyFrom(new byte[] {0})).build())
        .getKvsList().forEach(kv -> out.add(kv.getKey().toStringUtf8()));
    return out;
  }

  private static List<String> strings(List<ByteString> keys) {
    return keys.stream().map(ByteString::toStringUtf8).toList();
  }

  private static EtcdError error(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(EtcdException.class, e).error();
  }

  private static EtcdError failure(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return ((EtcdException) e.getCause()).error();
  }

  @Test
  void grantKeepsTtlRaisesShortOnesToTheMinimumAndIsListed() {
    LeaseGrantResponse g = grant(10, 60);
    assertEquals(10, g.getID());
    assertEquals(60, g.getTTL());
    assertEquals(1, g.getHeader().getRevision(), "a grant uses no revision");
    assertEquals(MIN_TTL, grant(11, 0).getTTL());
    assertEquals(MIN_TTL, grant(12, 1).getTTL());
    assertEquals(MIN_TTL, grant(13, -5).getTTL());
    assertEquals(List.of(10L, 11L, 12L, 13L), lessor.leases());
    assertEquals(60, lessor.timeToLive(10, false).getGrantedTTL());
    assertEquals(index, store.appliedIndex());
    assertEquals(List.of(new LeaseRecord(10, 60), new LeaseRecord(11, 2), new LeaseRecord(12, 2),
        new LeaseRecord(13, 2)), store.leases());
  }

  @Test
  void grantErrorsAreEtcdsAndStillRecordTheirPosition() {
    grant(7, 10);
    assertEquals(EtcdError.LEASE_EXIST, error(() -> grant(7, 30)));
    assertEquals(index, store.appliedIndex());
    assertEquals(EtcdError.LEASE_TTL_TOO_LARGE, error(() -> grant(8, Lessor.MAX_LEASE_TTL + 1)));
    assertEquals(index, store.appliedIndex());
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> grant(0, 10)));
    assertEquals(index, store.appliedIndex());
    assertEquals(Lessor.MAX_LEASE_TTL, grant(9, Lessor.MAX_LEASE_TTL).getTTL());
    assertEquals(10, lessor.timeToLive(7, false).getGrantedTTL(), "the failed grant changed nothing");
    assertEquals(List.of(7L, 9L), lessor.leases());
  }

  @Test
  void revokeDeletesAttachedKeysInOneRevisionWithDeleteEventsInKeyOrder() {
    grant(5, 30);
    put("c", 5);
    put("a", 5);
    long before = put("b", 5);
    put("other", 0);
    events.clear();
    revisions.clear();

    long rev = revoke(5);

    assertEquals(before + 2, rev, "one revision for the revoke, after the unrelated put");
    assertEquals(List.of(rev), revisions);
    List<Event> deletes = events.get(0);
    assertEquals(List.of("a", "b", "c"), deletes.stream().map(e -> e.getKv().getKey().toStringUtf8()).toList());
    assertTrue(deletes.stream().allMatch(e -> e.getType() == Event.EventType.DELETE));
    assertTrue(deletes.stream().allMatch(e -> e.getKv().getModRevision() == rev));
    assertEquals(List.of("other"), keys());
    assertNull(lessor.timeToLive(5, true));
    assertEquals(List.of(), store.leases());
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> revoke(5)));
    assertEquals(index, store.appliedIndex());
    assertEquals(EtcdError.LEASE_NOT_FOUND, error(() -> put("d", 5)));
  }

  @Test
  void revokeOfALeaseWithoutKeysUsesNoRevision() {
    grant(6, 30);
    long rev = store.revision();
    assertEquals(rev, revoke(6));
    assertEquals(rev, store.revision());
    assertTrue(revisions.isEmpty());
    assertFalse(lessor.contains(6));
  }

  @Test
  void keysFollowPutsOverwritesAndDeletes() {
    grant(1, 30);
    grant(2, 30);
    put("k", 1);
    put("j", 1);
    assertEquals(List.of("j", "k"), strings(lessor.timeToLive(1, true).getKeysList()));
    put("k", 2);
    assertEquals(List.of("j"), strings(lessor.timeToLive(1, true).getKeysList()));
    assertEquals(List.of("k"), strings(lessor.timeToLive(2, true).getKeysList()));
    put("j", 0);
    assertEquals(List.of(), lessor.timeToLive(1, true).getKeysList());
    store.deleteRange(++index, DeleteRangeRequest.newBuilder().setKey(bs("k")).build());
    assertEquals(List.of(), lessor.timeToLive(2, true).getKeysList());
    assertEquals(List.of(), lessor.timeToLive(2, false).getKeysList(), "keys only when asked");
  }

  @Test
  void replayedGrantAndRevokeChangeNothing() {
    long grantAt = index + 1;
    grant(3, 30);
    put("x", 3);
    long revokeAt = index + 1;
    revoke(3);
    grant(3, 40); // the same id granted again later
    put("y", 3);
    long rev = store.revision();
    revisions.clear();

    // a restart replays the log from an older snapshot: both are at or below the applied position
    lessor.grant(grantAt, KvStore.WHOLE_ENTRY, LeaseGrantRequest.newBuilder().setID(3).setTTL(30).build());
    lessor.revoke(revokeAt, KvStore.WHOLE_ENTRY, LeaseRevokeRequest.newBuilder().setID(3).build());

    assertEquals(40, lessor.timeToLive(3, false).getGrantedTTL());
    assertEquals(List.of("y"), strings(lessor.timeToLive(3, true).getKeysList()));
    assertEquals(List.of("y"), keys());
    assertEquals(rev, store.revision());
    assertTrue(revisions.isEmpty());
    assertEquals(List.of(new LeaseRecord(3, 40)), store.leases());
  }

  @Test
  void replayOfAGroupCommitPartIsSkippedToo() {
    long entry = ++index;
    lessor.grant(entry, 0, LeaseGrantRequest.newBuilder().setID(4).setTTL(30).build());
    lessor.revoke(entry, 1, LeaseRevokeRequest.newBuilder().setID(4).build());
    store.markApplied(entry);
    // replaying part 0 after the revoke must not bring the lease back
    lessor.grant(entry, 0, LeaseGrantRequest.newBuilder().setID(4).setTTL(30).build());
    assertFalse(lessor.contains(4));
    assertEquals(List.of(), store.leases());
  }

  @Test
  void leasesAndTheirKeysSurviveAReopen() {
    grant(21, 30);
    grant(22, 5);
    put("p", 21);
    put("q", 21);
    put("r", 22);
    revoke(22);
    long applied = store.appliedIndex();

    reopen();

    assertEquals(applied, store.appliedIndex());
    assertEquals(List.of(21L), lessor.leases());
    LeaseTimeToLiveResponse ttl = lessor.timeToLive(21, true);
    assertEquals(30, ttl.getGrantedTTL());
    assertEquals(List.of("p", "q"), strings(ttl.getKeysList()));
    assertEquals(Lessor.FOREVER_SECONDS, ttl.getTTL(), "no clock runs before promotion");
    assertTrue(store.leases().contains(new LeaseRecord(21, 30)));
    // attachments were rebuilt: a revoke after the reopen still deletes the keys
    revoke(21);
    assertEquals(List.of(), keys());
  }

  @Test
  void clocksRunOnlyOnThePrimaryAndExpiredLeasesAreReportedWithRetries() {
    grant(31, 10);
    assertFalse(lessor.isPrimary());
    now.addAndGet(60_000);
    assertEquals(List.of(), lessor.expired(100), "followers never expire anything");
    assertEquals(EtcdError.NOT_LEADER, failure(lessor.renew(31)));

    lessor.promote(1000);
    assertTrue(lessor.isPrimary());
    assertEquals(11, lessor.timeToLive(31, false).getTTL(), "TTL plus the extension");
    grant(32, 5);
    assertEquals(5, lessor.timeToLive(32, false).getTTL());
    assertEquals(List.of(32L, 31L), lessor.leases(), "soonest expiry first");

    now.addAndGet(4_500);
    assertEquals(0, lessor.timeToLive(32, false).getTTL());
    assertEquals(List.of(), lessor.expired(100));
    now.addAndGet(500);
    assertEquals(List.of(32L), lessor.expired(100));
    assertEquals(List.of(), lessor.expired(100), "proposed already; retried after the retry interval");
    now.addAndGet(Lessor.REVOKE_RETRY_MILLIS);
    assertEquals(List.of(32L), lessor.expired(100));

    assertEquals(10L, lessor.renew(31).join());
    assertEquals(10, lessor.timeToLive(31, false).getTTL());
    now.addAndGet(20_000);
    assertEquals(List.of(32L), lessor.expired(1), "the one that expired first");
    assertEquals(List.of(31L), lessor.expired(100));

    lessor.demote();
    assertEquals(Lessor.FOREVER_SECONDS, lessor.timeToLive(31, false).getTTL());
    assertEquals(List.of(), lessor.expired(100));
  }

  @Test
  void expiredReportsTheEarliestFirstUpToTheLimit() {
    lessor.promote(0);
    grant(41, 30);
    grant(42, 10);
    grant(43, 20);
    now.addAndGet(60_000);
    assertEquals(List.of(42L, 43L), lessor.expired(2));
    assertEquals(List.of(41L), lessor.expired(2));
  }

  @Test
  void renewRestartsTheClockAndFailsForUnknownLeases() {
    lessor.promote(0);
    grant(51, 10);
    now.addAndGet(9_000);
    assertEquals(1, lessor.timeToLive(51, false).getTTL());
    assertEquals(10L, lessor.renew(51).join());
    assertEquals(10, lessor.timeToLive(51, false).getTTL());
    assertEquals(EtcdError.LEASE_NOT_FOUND, failure(lessor.renew(52)));
  }

  @Test
  void renewOfAnExpiredLeaseWaitsForItsRevocation() throws Exception {
    lessor.promote(0);
    grant(61, 10);
    now.addAndGet(10_000);
    CompletableFuture<Long> renewal = lessor.renew(61);
    assertFalse(renewal.isDone(), "an expired lease is on its way out: no resurrection");
    revoke(61);
    assertEquals(EtcdError.LEASE_NOT_FOUND, failure(renewal.orTimeout(5, TimeUnit.SECONDS)));

    grant(62, 10);
    now.addAndGet(10_000);
    CompletableFuture<Long> other = lessor.renew(62);
    lessor.demote();
    assertEquals(EtcdError.NOT_LEADER, failure(other.orTimeout(5, TimeUnit.SECONDS)));
  }

  @Test
  void promotionRestartsEveryClockWithTheExtension() {
    lessor.promote(0);
    grant(71, 10);
    now.addAndGet(8_000);
    assertEquals(2, lessor.timeToLive(71, false).getTTL());
    lessor.demote();
    now.addAndGet(100_000);
    lessor.promote(1_000);
    assertEquals(11, lessor.timeToLive(71, false).getTTL());
    now.addAndGet(10_500);
    assertEquals(List.of(), lessor.expired(10), "TTL plus the extension");
    now.addAndGet(500);
    assertEquals(List.of(71L), lessor.expired(10));
  }
}
