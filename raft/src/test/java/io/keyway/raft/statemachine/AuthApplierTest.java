package io.keyway.raft.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.authpb.Permission;
import io.keyway.api.etcdserverpb.AuthEnableRequest;
import io.keyway.api.etcdserverpb.AuthRoleAddRequest;
import io.keyway.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.keyway.api.etcdserverpb.AuthUserAddRequest;
import io.keyway.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.keyway.api.etcdserverpb.AuthUserListRequest;
import io.keyway.api.etcdserverpb.AuthUserListResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.raftpb.RaftRequest;
import io.keyway.api.raftpb.RequestHeader;
import io.keyway.raft.auth.SimpleTokens;
import io.keyway.store.KvStore;
import io.keyway.store.RocksKvStore;
import io.keyway.store.StoreOptions;
import io.keyway.store.auth.AuthStore;
import io.keyway.store.auth.Passwords;
import io.keyway.store.auth.RequestPermissions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The apply-time half of auth: admin checks of auth requests and the re-check of KV writes (TOCTOU). */
class AuthApplierTest {
  @TempDir Path dir;
  private RocksKvStore store;
  private AuthStore auth;
  private AuthApplier applier;
  private long index;

  @BeforeEach
  void open() {
    store = RocksKvStore.open(dir, StoreOptions.defaults());
    auth = AuthStore.open(store);
    RequestPermissions perms = new RequestPermissions(auth, id -> List.of());
    applier = new AuthApplier(perms, new SimpleTokens(60_000, System::currentTimeMillis), store,
        (i, part, r) -> store.put(i, part, r.getPut()));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Object apply(RaftRequest.Builder r, String user, long revision) {
    RaftRequest.Builder b = r.clone();
    if (user != null) {
      b.setHeader(RequestHeader.newBuilder().setUsername(user).setAuthRevision(revision));
    }
    return applier.apply(++index, KvStore.WHOLE_ENTRY, b.build());
  }

  private static void assertError(EtcdError error, Executable call) {
    assertEquals(error.message(), assertThrows(EtcdException.class, call).getMessage());
  }

  private static RaftRequest.Builder put(String key) {
    return RaftRequest.newBuilder().setPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)));
  }

  @Test
  void authRequestsNeedAdminOnceEnabledAndWritesAreRecheckedWhereApplied() {
    String hash = Passwords.hashForProposal("pw", Passwords.MIN_COST);
    apply(RaftRequest.newBuilder().setUserAdd(AuthUserAddRequest.newBuilder().setName("root").setHashedPassword(hash)), "", 0);
    apply(RaftRequest.newBuilder().setUserGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root")), "", 0);
    apply(RaftRequest.newBuilder().setUserAdd(AuthUserAddRequest.newBuilder().setName("u").setHashedPassword(hash)), "", 0);
    apply(RaftRequest.newBuilder().setRoleAdd(AuthRoleAddRequest.newBuilder().setName("w")), "", 0);
    apply(RaftRequest.newBuilder().setRoleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("w")
        .setPerm(Permission.newBuilder().setPermType(Permission.Type.WRITE).setKey(ByteString.copyFromUtf8("w")))),
        "", 0);
    apply(RaftRequest.newBuilder().setUserGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("u").setRole("w")), "", 0);
    apply(RaftRequest.newBuilder().setAuthEnable(AuthEnableRequest.getDefaultInstance()), "", 0);
    long rev = auth.revision();

    assertError(EtcdError.USER_EMPTY,
        () -> apply(RaftRequest.newBuilder().setUserList(AuthUserListRequest.getDefaultInstance()), "", 0));
    assertError(EtcdError.PERMISSION_DENIED_ERR,
        () -> apply(RaftRequest.newBuilder().setUserList(AuthUserListRequest.getDefaultInstance()), "u", rev));
    AuthUserListResponse users = (AuthUserListResponse) apply(
        RaftRequest.newBuilder().setUserList(AuthUserListRequest.getDefaultInstance()), "root", rev);
    assertEquals(List.of("root", "u"), users.getUsersList());

    assertInstanceOf(PutResponse.class, apply(put("w"), "u", rev));
    assertError(EtcdError.PERMISSION_DENIED_ERR, () -> apply(put("x"), "u", rev));
    assertError(EtcdError.USER_EMPTY, () -> apply(put("w"), "", 0)); // proposed before auth was enabled
    assertInstanceOf(PutResponse.class, apply(put("x"), null, 0)); // the members' own requests carry no header

    // checked against an older auth store: refused rather than trusted
    apply(RaftRequest.newBuilder().setRoleAdd(AuthRoleAddRequest.newBuilder().setName("later")), "root", rev);
    assertError(EtcdError.AUTH_OLD_REVISION, () -> apply(put("w"), "u", rev));
    TxnRequest nested = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestTxn(TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("w")))))).build();
    assertError(EtcdError.PERMISSION_DENIED_ERR,
        () -> apply(RaftRequest.newBuilder().setTxn(nested), "u", auth.revision()));
    assertEquals(index, store.appliedIndex(), "refusals record their position");
  }
}
