package io.keyway.store.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.authpb.Permission;
import io.keyway.api.authpb.UserAddOptions;
import io.keyway.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.keyway.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.keyway.api.etcdserverpb.AuthUserAddRequest;
import io.keyway.api.etcdserverpb.AuthUserChangePasswordRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class AuthStoreTest {
  @TempDir Path dir;
  private RocksKvStore kv;
  private AuthStore auth;
  private long index;
  private final List<String> invalidated = new ArrayList<>();

  @BeforeEach
  void open() {
    kv = RocksKvStore.open(dir, StoreOptions.defaults());
    auth = AuthStore.open(kv);
    auth.setTokenInvalidation(new AuthStore.TokenInvalidation() {
      @Override public void userChanged(String user) { invalidated.add(user); }
      @Override public void authDisabled() { invalidated.add("*"); }
    });
  }

  @AfterEach
  void close() {
    kv.close();
  }

  private long next() {
    return ++index;
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private void addUser(String name, String password) {
    auth.userAdd(next(), Integer.MAX_VALUE, AuthUserAddRequest.newBuilder().setName(name)
        .setHashedPassword(Passwords.hashForProposal(password, Passwords.MIN_COST)).build());
  }

  private void grant(String role, Permission.Type type, String key, String end) {
    auth.roleGrantPermission(next(), Integer.MAX_VALUE, AuthRoleGrantPermissionRequest.newBuilder().setName(role)
        .setPerm(Permission.newBuilder().setPermType(type).setKey(bs(key)).setRangeEnd(bs(end))).build());
  }

  private static void assertError(EtcdError expected, Executable call) {
    EtcdException e = assertThrows(EtcdException.class, call);
    assertEquals(expected.message(), e.getMessage());
  }

  private void enableWithRoot() {
    addUser("root", "pw");
    auth.userGrantRole(next(), Integer.MAX_VALUE, "root", "root");
    auth.enable(next(), Integer.MAX_VALUE);
  }

  @Test
  void enableNeedsRootUserWithRootRole() {
    assertEquals(1, auth.revision(), "a fresh auth store starts at revision 1, as etcd's");
    assertError(EtcdError.ROOT_USER_NOT_EXIST, () -> auth.enable(next(), Integer.MAX_VALUE));
    addUser("root", "pw");
    assertError(EtcdError.ROOT_ROLE_NOT_EXIST, () -> auth.enable(next(), Integer.MAX_VALUE));
    auth.userGrantRole(next(), Integer.MAX_VALUE, "root", "root"); // role "root" needs no role object
    long before = auth.revision();
    auth.enable(next(), Integer.MAX_VALUE);
    assertTrue(auth.isEnabled());
    assertEquals(before, auth.revision(), "enabling does not bump the revision");
    auth.enable(next(), Integer.MAX_VALUE); // no-op
    auth.disable(next(), Integer.MAX_VALUE);
    assertFalse(auth.isEnabled());
    assertEquals(before + 1, auth.revision(), "disabling bumps it");
    assertEquals(List.of("*"), invalidated);
    auth.disable(next(), Integer.MAX_VALUE); // disabling twice succeeds
  }

  @Test
  void rootIsProtectedWhileEnabled() {
    enableWithRoot();
    assertError(EtcdError.INVALID_AUTH_MGMT, () -> auth.userDelete(next(), Integer.MAX_VALUE, "root"));
    assertError(EtcdError.INVALID_AUTH_MGMT, () -> auth.userRevokeRole(next(), Integer.MAX_VALUE, "root", "root"));
    assertError(EtcdError.INVALID_AUTH_MGMT, () -> auth.roleDelete(next(), Integer.MAX_VALUE, "root"));
    auth.disable(next(), Integer.MAX_VALUE);
    auth.userRevokeRole(next(), Integer.MAX_VALUE, "root", "root");
    auth.userDelete(next(), Integer.MAX_VALUE, "root");
    assertNull(auth.user("root"));
  }

  @Test
  void userAndRoleErrorsFollowEtcd() {
    assertError(EtcdError.USER_EMPTY, () -> addUser("", "x"));
    addUser("u", "x");
    assertError(EtcdError.USER_ALREADY_EXIST, () -> addUser("u", "y"));
    assertError(EtcdError.USER_NOT_FOUND, () -> auth.userDelete(next(), Integer.MAX_VALUE, "nobody"));
    assertError(EtcdError.ROLE_EMPTY, () -> auth.roleAdd(next(), Integer.MAX_VALUE, ""));
    auth.roleAdd(next(), Integer.MAX_VALUE, "r");
    assertError(EtcdError.ROLE_ALREADY_EXIST, () -> auth.roleAdd(next(), Integer.MAX_VALUE, "r"));
    assertError(EtcdError.ROLE_NOT_FOUND, () -> auth.userGrantRole(next(), Integer.MAX_VALUE, "u", "nope"));
    assertError(EtcdError.ROLE_NOT_GRANTED, () -> auth.userRevokeRole(next(), Integer.MAX_VALUE, "u", "r"));
    auth.userGrantRole(next(), Integer.MAX_VALUE, "u", "r");
    long rev = auth.revision();
    auth.userGrantRole(next(), Integer.MAX_VALUE, "u", "r"); // silent success, no change
    assertEquals(rev, auth.revision());
    assertError(EtcdError.PERMISSION_NOT_GIVEN, () -> auth.roleGrantPermission(next(), Integer.MAX_VALUE,
        AuthRoleGrantPermissionRequest.newBuilder().setName("r").build()));
    assertError(EtcdError.INVALID_AUTH_MGMT, () -> grant("r", Permission.Type.READ, "", ""));
    assertError(EtcdError.INVALID_AUTH_MGMT, () -> grant("r", Permission.Type.READ, "b", "a"));
    assertError(EtcdError.PERMISSION_NOT_GRANTED, () -> auth.roleRevokePermission(next(), Integer.MAX_VALUE,
        AuthRoleRevokePermissionRequest.newBuilder().setRole("r").setKey(bs("k")).build()));
    grant("r", Permission.Type.READ, "k", "");
    grant("r", Permission.Type.WRITE, "k", ""); // same (key, range_end): the type is replaced
    assertEquals(1, auth.role("r").getPermCount());
    assertEquals(Permission.Type.WRITE, auth.role("r").getPerm(0).getPermType());
    auth.roleDelete(next(), Integer.MAX_VALUE, "r");
    assertEquals(List.of(), auth.userRoles("u"), "deleting a role revokes it from its users");
  }

  @Test
  void passwordChangeInvalidatesAndNoPasswordUsersKeepNoHash() {
    addUser("u", "x");
    assertTrue(Passwords.matches("x", auth.user("u").getPassword().toByteArray()));
    auth.userChangePassword(next(), Integer.MAX_VALUE, AuthUserChangePasswordRequest.newBuilder().setName("u")
        .setHashedPassword(Passwords.hashForProposal("y", Passwords.MIN_COST)).build());
    assertFalse(Passwords.matches("x", auth.user("u").getPassword().toByteArray()));
    assertTrue(Passwords.matches("y", auth.user("u").getPassword().toByteArray()));
    assertEquals(List.of("u"), invalidated);
    auth.userAdd(next(), Integer.MAX_VALUE, AuthUserAddRequest.newBuilder().setName("cn")
        .setOptions(UserAddOptions.newBuilder().setNoPassword(true)).build());
    assertTrue(auth.user("cn").getPassword().isEmpty());
  }

  @Test
  void permissionsAreTheUnionOfRolesAndMustCoverTheWholeRange() {
    enableWithRoot();
    addUser("u", "x");
    auth.roleAdd(next(), Integer.MAX_VALUE, "a");
    auth.roleAdd(next(), Integer.MAX_VALUE, "b");
    grant("a", Permission.Type.READ, "a", "c");
    grant("b", Permission.Type.READWRITE, "c", "e");
    grant("b", Permission.Type.READ, "point", "");
    grant("b", Permission.Type.WRITE, "z", "\0");
    auth.userGrantRole(next(), Integer.MAX_VALUE, "u", "a");
    auth.userGrantRole(next(), Integer.MAX_VALUE, "u", "b");
    AuthInfo u = new AuthInfo("u", auth.revision());

    auth.checkRead(u, bs("a"), bs("e")); // [a,c) + [c,e) touch: covered
    auth.checkRead(u, bs("b"), ByteString.EMPTY);
    auth.checkRead(u, bs("point"), ByteString.EMPTY);
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> auth.checkRead(u, bs("point"), bs("pointz")));
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> auth.checkRead(u, bs("a"), bs("f")));
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> auth.checkWrite(u, bs("b"), ByteString.EMPTY));
    auth.checkWrite(u, bs("d"), ByteString.EMPTY);
    auth.checkWrite(u, bs("zz"), bs("\0")); // >= zz inside >= z
    // a read permission on one key does not open every key from it on (GHSA-xg4h-6gfc-h4m8)
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> auth.checkRead(u, bs("point"), bs("\0")));
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> auth.checkRead(u, bs("c"), bs("\0")));
    // an empty range is covered by nothing
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> auth.checkRead(u, bs("b"), bs("a")));

    assertError(EtcdError.USER_EMPTY, () -> auth.checkRead(null, bs("a"), ByteString.EMPTY));
    assertError(EtcdError.AUTH_OLD_REVISION, () -> auth.checkRead(new AuthInfo("u", 2), bs("a"), ByteString.EMPTY));
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> auth.checkAdmin(u));
    auth.checkAdmin(new AuthInfo("root", 1));
    auth.checkRead(new AuthInfo("root", auth.revision()), bs("anything"), bs("\0"));
  }

  @Test
  void txnChecksAreRecursiveAndPutChecksPrevKvAndLeaseKeys() {
    enableWithRoot();
    addUser("u", "x");
    auth.roleAdd(next(), Integer.MAX_VALUE, "w");
    grant("w", Permission.Type.WRITE, "w", "x");
    auth.userGrantRole(next(), Integer.MAX_VALUE, "u", "w");
    AuthInfo u = new AuthInfo("u", auth.revision());
    Map<Long, List<ByteString>> leases = Map.of(7L, List.of(bs("secret")), 8L, List.of(bs("w1")));
    RequestPermissions perms = new RequestPermissions(auth, id -> leases.getOrDefault(id, List.of()));

    perms.checkPut(u, PutRequest.newBuilder().setKey(bs("w1")).build());
    assertError(EtcdError.PERMISSION_DENIED_ERR,
        () -> perms.checkPut(u, PutRequest.newBuilder().setKey(bs("w1")).setPrevKv(true).build()));
    assertError(EtcdError.PERMISSION_DENIED_ERR,
        () -> perms.checkPut(u, PutRequest.newBuilder().setKey(bs("w1")).setLease(7).build()));
    perms.checkPut(u, PutRequest.newBuilder().setKey(bs("w2")).setLease(8).build());

    TxnRequest nestedRead = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestTxn(
        TxnRequest.newBuilder().addFailure(RequestOp.newBuilder().setRequestRange(
            RangeRequest.newBuilder().setKey(bs("w1")))))).build();
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> perms.checkTxn(u, nestedRead));
    TxnRequest nestedPrevKv = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestTxn(
        TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestPut(
            PutRequest.newBuilder().setKey(bs("w1")).setPrevKv(true))))).build();
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> perms.checkTxn(u, nestedPrevKv));
    TxnRequest writes = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestPut(
        PutRequest.newBuilder().setKey(bs("w1")))).build();
    perms.checkTxn(u, writes);
  }

  @Test
  void persistsWithTheAppliedIndexAndReplaysAreNoOps() {
    enableWithRoot();
    auth.roleAdd(next(), Integer.MAX_VALUE, "r");
    long rev = auth.revision();
    long applied = index;
    kv.close();
    open();
    assertTrue(auth.isEnabled());
    assertEquals(rev, auth.revision());
    assertEquals(List.of("r"), auth.roleNames());
    auth.roleAdd(applied, Integer.MAX_VALUE, "again"); // a replayed position changes nothing
    assertEquals(List.of("r"), auth.roleNames());
    assertEquals(rev, auth.revision());
  }
}
