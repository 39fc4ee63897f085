package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jetcd 0.8.6 with a user and password against a server issuing JWTs ({@code --auth-token jwt,...,RS256}):
 * jetcd logs in, sends the JWT with every call and stream, and gets etcd's PERMISSION_DENIED outside the user's
 * range. Passes against etcd 3.4.23 as well ({@code -Dkeyway.it.target=etcd}).
 */
class JetcdJwtIT {
  private static final long WAIT_SECONDS = 30;
  private static ServerProcess server;
  private static Client user;
  private static Client root;

  @BeforeAll
  static void start() throws Exception {
    JwtKeys keys = JwtKeys.generate("jetcd-jwt-keys");
    server = ServerUnderTest.start("jetcd-jwt", keys.authTokenFlag("10m"));
    server.etcdctl().runAll(new String[][] {
        {"user", "add", "root:rootpw"}, {"user", "grant-role", "root", "root"},
        {"role", "add", "jj"}, {"role", "grant-permission", "jj", "readwrite", "jj/", "--prefix"},
        {"user", "add", "jane:janepw"}, {"user", "grant-role", "jane", "jj"}, {"auth", "enable"}});
    user = Client.builder().endpoints(server.clientUrl()).user(bytes("jane")).password(bytes("janepw")).build();
    root = Client.builder().endpoints(server.clientUrl()).user(bytes("root")).password(bytes("rootpw")).build();
  }

  @AfterAll
  static void stop() {
    for (Client c : new Client[] {user, root}) {
      if (c != null) {
        c.close();
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void putGetAndWatchInsideTheRoleRangeAndPermissionDeniedOutside() throws Exception {
    KV kv = user.getKVClient();
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch.Watcher watcher = user.getWatchClient().watch(bytes("jj/"),
        WatchOption.builder().isPrefix(true).build(), (WatchResponse r) -> events.addAll(r.getEvents()))) {
      // the watch is registered asynchronously: write until its first event shows it is live
      WatchEvent first = null;
      for (int i = 0; i < 50 && first == null; i++) {
        await(kv.put(bytes("jj/probe"), bytes("p" + i)));
        first = events.poll(200, TimeUnit.MILLISECONDS);
      }
      assertNotNull(first, "no watch event arrived");
      events.clear();
      await(kv.put(bytes("jj/k"), bytes("v")));
      WatchEvent put = next(events);
      while (!text(put.getKeyValue().getKey()).equals("jj/k")) {
        put = next(events); // late probe events
      }
      assertEquals(WatchEvent.EventType.PUT, put.getEventType());
      assertEquals("v", text(put.getKeyValue().getValue()));
    }
    assertEquals("v", text(await(kv.get(bytes("jj/k"))).getKvs().get(0).getValue()));

    assertDenied(kv.put(bytes("elsewhere"), bytes("v")));
    assertDenied(kv.get(bytes("elsewhere")));
    assertEquals(0, await(root.getKVClient().get(bytes("elsewhere"))).getCount(), "the refused put wrote nothing");
  }

  @Test
  void leaseRevokeNeedsWriteOnEveryAttachedKey() throws Exception {
    long lease = await(user.getLeaseClient().grant(60)).getID();
    await(user.getKVClient().put(bytes("jj/leased"), bytes("v"), PutOption.builder().withLeaseId(lease).build()));
    await(root.getKVClient().put(bytes("rootonly/leased"), bytes("v"),
        PutOption.builder().withLeaseId(lease).build()));
    assertDenied(user.getLeaseClient().revoke(lease));
    assertEquals(1, await(root.getKVClient().get(bytes("rootonly/leased"))).getCount());
    await(root.getLeaseClient().revoke(lease));
    assertEquals(0, await(root.getKVClient().get(bytes("jj/leased"))).getCount());
  }

  private static void assertDenied(CompletableFuture<?> call) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(WAIT_SECONDS, TimeUnit.SECONDS));
    Status status = Status.fromThrowable(e.getCause());
    assertEquals(Status.Code.PERMISSION_DENIED, status.getCode(), status::toString);
    assertEquals("etcdserver: permission denied", status.getDescription());
  }

  private static WatchEvent next(BlockingQueue<WatchEvent> events) throws InterruptedException {
    WatchEvent e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(e, "no watch event within " + WAIT_SECONDS + " s");
    return e;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }
}
