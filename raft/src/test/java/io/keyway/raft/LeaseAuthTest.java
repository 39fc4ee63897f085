package io.keyway.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.authpb.Permission;
import io.keyway.api.etcdserverpb.AuthEnableRequest;
import io.keyway.api.etcdserverpb.AuthRoleAddRequest;
import io.keyway.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.keyway.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.keyway.api.etcdserverpb.AuthUserAddRequest;
import io.keyway.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.keyway.api.etcdserverpb.AuthenticateRequest;
import io.keyway.api.etcdserverpb.AuthenticateResponse;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseRevokeRequest;
import io.keyway.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.raft.auth.AuthService;
import io.keyway.store.auth.AuthInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lease grants and revokes proposed for a client carry the caller into the Raft entry, and the apply checks them
 * against the auth store of that moment (etcd's authApplierV3): the gateway's early check is not the only one.
 */
class LeaseAuthTest {
  @TempDir Path dir;
  private KeywayNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static void assertRefused(EtcdError error, CompletableFuture<?> call) {
    EtcdException e = assertThrows(EtcdException.class, () -> await(call));
    assertEquals(error.message(), e.getMessage());
  }

  private AuthInfo login(String user, String password) throws Exception {
    String token = ((AuthenticateResponse) await(node.auth().call(null,
        AuthenticateRequest.newBuilder().setName(user).setPassword(password).build()))).getToken();
    return await(node.auth().identifyAsync(token));
  }

  @Test
  void revokeNeedsWriteOnEveryAttachedKeyWhereAppliedAndGrantAUser() throws Exception {
    node = KeywayNode.start(TestNodes.single(dir, TestNodes.freePort()).bcryptCost(4).build());
    assertTrue(node.awaitLeader(Duration.ofSeconds(30)));
    AuthService auth = node.auth();
    await(auth.call(null, AuthUserAddRequest.newBuilder().setName("root").setPassword("pw").build()));
    await(auth.call(null, AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build()));
    await(auth.call(null, AuthUserAddRequest.newBuilder().setName("u").setPassword("upw").build()));
    await(auth.call(null, AuthRoleAddRequest.newBuilder().setName("w").build()));
    Permission writeW = Permission.newBuilder().setPermType(Permission.Type.READWRITE)
        .setKey(ByteString.copyFromUtf8("w/")).setRangeEnd(ByteString.copyFromUtf8("w0")).build();
    await(auth.call(null, AuthRoleGrantPermissionRequest.newBuilder().setName("w").setPerm(writeW)
        .build()));
    await(auth.call(null, AuthUserGrantRoleRequest.newBuilder().setUser("u").setRole("w").build()));
    await(auth.call(null, AuthEnableRequest.getDefaultInstance()));
    AuthInfo root = login("root", "pw");
    AuthInfo u = login("u", "upw");

    // a grant proposed while auth was off reaches the apply without a user: refused now that it is on
    assertRefused(EtcdError.USER_EMPTY, node.leasesAs(null).grant(LeaseGrantRequest.newBuilder().setTTL(60).build()));
    long lease = await(node.leasesAs(u).grant(LeaseGrantRequest.newBuilder().setTTL(60).build())).getID();

    // u may revoke a lease on its own keys only: a key outside its range is attached by root
    await(node.as(root).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("w/a")).setLease(lease).build()));
    await(node.as(root).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("x")).setLease(lease).build()));
    assertRefused(EtcdError.PERMISSION_DENIED_ERR,
        node.leasesAs(u).revoke(LeaseRevokeRequest.newBuilder().setID(lease).build()));
    assertNotEquals(-1, await(node.timeToLive(LeaseTimeToLiveRequest.newBuilder().setID(lease).build())).getTTL(),
        "the refused revoke left the lease in place");

    // a revoke checked before a permission change is refused where applied after it
    long own = await(node.leasesAs(u).grant(LeaseGrantRequest.newBuilder().setTTL(60).build())).getID();
    await(node.as(u).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("w/b")).setLease(own).build()));
    await(auth.call(root, AuthRoleRevokePermissionRequest.newBuilder().setRole("w")
        .setKey(ByteString.copyFromUtf8("w/")).setRangeEnd(ByteString.copyFromUtf8("w0")).build()));
    EtcdException stale = assertThrows(EtcdException.class,
        () -> await(node.leasesAs(u).revoke(LeaseRevokeRequest.newBuilder().setID(own).build())));
    assertTrue(stale.getMessage().equals(EtcdError.AUTH_OLD_REVISION.message())
        || stale.getMessage().equals(EtcdError.PERMISSION_DENIED_ERR.message()), stale.getMessage());
    AuthInfo uNow = login("u", "upw");
    assertRefused(EtcdError.PERMISSION_DENIED_ERR,
        node.leasesAs(uNow).revoke(LeaseRevokeRequest.newBuilder().setID(own).build()));

    // root may revoke anything
    await(node.leasesAs(root).revoke(LeaseRevokeRequest.newBuilder().setID(lease).build()));
    assertEquals(-1, await(node.timeToLive(LeaseTimeToLiveRequest.newBuilder().setID(lease).build())).getTTL());
  }
}
