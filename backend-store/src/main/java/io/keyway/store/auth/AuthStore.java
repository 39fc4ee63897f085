package io.keyway.store.auth;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.GrpcCode;
import io.keyway.api.authpb.Permission;
import io.keyway.api.authpb.Role;
import io.keyway.api.authpb.User;
import io.keyway.api.authpb.UserAddOptions;
import io.keyway.api.etcdserverpb.AuthRoleGetResponse;
import io.keyway.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.keyway.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.keyway.api.etcdserverpb.AuthUserAddRequest;
import io.keyway.api.etcdserverpb.AuthUserChangePasswordRequest;
import io.keyway.api.mvccpb.Event;
import io.keyway.api.raftpb.AuthState;
import io.keyway.store.ChangeListener;
import io.keyway.store.KvStore;
import io.keyway.store.StoreFailedException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's auth store: users, roles, permissions, the enabled flag and the auth revision. The whole store is one
 * record in the KV store, written atomically with the applied position, so it is replicated by the log,
 * survives restarts and travels with Raft snapshots; it is cached in memory as an immutable {@link State}.
 *
 * <p>Mutations run on the apply thread only (in log order) and follow etcd's rules and errors; a refused
 * mutation records its position and throws. Every successful user or role change, and disabling, bumps the
 * revision; enabling does not (as etcd). Reads and permission checks may run on any thread.
 */
public final class AuthStore implements ChangeListener {
  private static final Logger LOG = LoggerFactory.getLogger(AuthStore.class);
  public static final String ROOT_USER = "root";
  public static final String ROOT_ROLE = "root";
  public static final String RECORD = "auth";
  private static final Permission ROOT_PERMISSION = Permission.newBuilder()
      .setPermType(Permission.Type.READWRITE).setKey(ByteString.EMPTY)
      .setRangeEnd(ByteString.copyFrom(new byte[] {0})).build();

  /** Told about changes that invalidate issued tokens (apply thread, after the change is persisted). */
  public interface TokenInvalidation {
    void userChanged(String user);

    void authDisabled();
  }

  private final KvStore store;
  private volatile State state;
  private volatile TokenInvalidation invalidation = new TokenInvalidation() {
    @Override public void userChanged(String user) {}
    @Override public void authDisabled() {}
  };

  private AuthStore(KvStore store) {
    this.store = store;
    this.state = State.of(load(store));
  }

  /** Loads the auth store from {@code store} and follows it across snapshot installs. */
  public static AuthStore open(KvStore store) {
    AuthStore auth = new AuthStore(store);
    store.addChangeListener(auth);
    return auth;
  }

  public void setTokenInvalidation(TokenInvalidation invalidation) {
    this.invalidation = invalidation;
  }

  // ---- reads (any thread) ---------------------------------------------------------------------------------

  public boolean isEnabled() { return state.proto.getEnabled(); }

  public long revision() { return state.proto.getRevision(); }

  /** The user, or null. */
  public User user(String name) { return state.users.get(name); }

  public boolean hasRole(String user, String role) {
    User u = state.users.get(user);
    return u != null && u.getRolesList().contains(role);
  }

  public List<String> userRoles(String name) throws EtcdException {
    User u = state.users.get(name);
    if (u == null) {
      throw EtcdError.USER_NOT_FOUND.exception();
    }
    return u.getRolesList();
  }

  public List<String> userNames() { return List.copyOf(state.users.keySet()); }

  public List<String> roleNames() { return List.copyOf(state.roles.keySet()); }

  public AuthRoleGetResponse role(String name) throws EtcdException {
    Role role = state.roles.get(name);
    if (role == null) {
      throw EtcdError.ROLE_NOT_FOUND.exception();
    }
    AuthRoleGetResponse.Builder b = AuthRoleGetResponse.newBuilder();
    if (ROOT_ROLE.equals(name)) {
      b.addPerm(ROOT_PERMISSION);
    } else {
      b.addAllPerm(role.getKeyPermissionList());
    }
    return b.build();
  }

  /** etcd's IsAdminPermitted: the caller must hold the root role (nothing is checked while auth is off). */
  public void checkAdmin(AuthInfo who) throws EtcdException {
    State s = state;
    if (!s.proto.getEnabled()) {
      return;
    }
    if (who == null || who.isEmpty()) {
      throw EtcdError.USER_EMPTY.exception();
    }
    User u = s.users.get(who.username());
    if (u == null) {
      throw EtcdError.USER_NOT_FOUND.exception();
    }
    if (!u.getRolesList().contains(ROOT_ROLE)) {
      throw EtcdError.PERMISSION_DENIED_ERR.exception();
    }
  }

  /** Whether the caller is an admin (holds root), without failing. */
  public boolean isAdmin(AuthInfo who) {
    return who != null && hasRole(who.username(), ROOT_ROLE);
  }

  /** etcd's isOpPermitted for a READ over {@code key}/{@code rangeEnd} (etcd's range conventions). */
  public void checkRead(AuthInfo who, ByteString key, ByteString rangeEnd) throws EtcdException {
    checkOp(who, key, rangeEnd, false);
  }

  /** etcd's isOpPermitted for a WRITE over {@code key}/{@code rangeEnd}. */
  public void checkWrite(AuthInfo who, ByteString key, ByteString rangeEnd) throws EtcdException {
    checkOp(who, key, rangeEnd, true);
  }

  private void checkOp(AuthInfo who, ByteString key, ByteString rangeEnd, boolean write) throws EtcdException {
    State s = state;
    if (!s.proto.getEnabled()) {
      return;
    }
    if (who == null || who.revision() == 0 || who.isEmpty()) {
      throw EtcdError.USER_EMPTY.exception();
    }
    if (who.revision() < s.proto.getRevision()) {
      throw EtcdError.AUTH_OLD_REVISION.exception();
    }
    Perms perms = s.perms.get(who.username());
    if (perms == null) {
      throw EtcdError.PERMISSION_DENIED_ERR.exception();
    }
    if (perms.root) {
      return;
    }
    if (!(write ? perms.write : perms.read).permits(key, rangeEnd)) {
      throw EtcdError.PERMISSION_DENIED_ERR.exception();
    }
  }

  // ---- mutations (apply thread) ---------------------------------------------------------------------------

  /** Enabling needs user root holding role root; enabling twice is a no-op. */
  public void enable(long index, int part) throws EtcdException {
    State s = state;
    if (s.proto.getEnabled()) {
      store.markApplied(index, part);
      return;
    }
    User root = s.users.get(ROOT_USER);
    if (root == null) {
      throw refuse(index, part, EtcdError.ROOT_USER_NOT_EXIST);
    }
    if (!root.getRolesList().contains(ROOT_ROLE)) {
      throw refuse(index, part, EtcdError.ROOT_ROLE_NOT_EXIST);
    }
    write(index, part, s.proto.toBuilder().setEnabled(true).build());
    LOG.info("enabled authentication");
  }

  public void disable(long index, int part) {
    State s = state;
    if (!s.proto.getEnabled()) {
      store.markApplied(index, part);
      return;
    }
    if (write(index, part, bump(s.proto.toBuilder().setEnabled(false)))) {
      invalidation.authDisabled();
      LOG.info("disabled authentication");
    }
  }

  public void userAdd(long index, int part, AuthUserAddRequest r) throws EtcdException {
    State s = state;
    if (r.getName().isEmpty()) {
      throw refuse(index, part, EtcdError.USER_EMPTY);
    }
    if (s.users.containsKey(r.getName())) {
      throw refuse(index, part, EtcdError.USER_ALREADY_EXIST);
    }
    UserAddOptions options = r.hasOptions() ? r.getOptions() : UserAddOptions.getDefaultInstance();
    User.Builder user = User.newBuilder().setName(ByteString.copyFromUtf8(r.getName())).setOptions(options);
    if (!options.getNoPassword()) {
      user.setPassword(proposedHash(index, part, r.getHashedPassword()));
    }
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(r.getName(), user.build());
    write(index, part, bump(s.with(users, s.roles)));
  }

  public void userDelete(long index, int part, String name) throws EtcdException {
    State s = state;
    if (s.proto.getEnabled() && ROOT_USER.equals(name)) {
      throw refuse(index, part, EtcdError.INVALID_AUTH_MGMT);
    }
    if (!s.users.containsKey(name)) {
      throw refuse(index, part, EtcdError.USER_NOT_FOUND);
    }
    Map<String, User> users = new TreeMap<>(s.users);
    users.remove(name);
    if (write(index, part, bump(s.with(users, s.roles)))) {
      invalidation.userChanged(name);
    }
  }

  public void userChangePassword(long index, int part, AuthUserChangePasswordRequest r) throws EtcdException {
    State s = state;
    User user = s.users.get(r.getName());
    if (user == null) {
      throw refuse(index, part, EtcdError.USER_NOT_FOUND);
    }
    User.Builder changed = user.toBuilder();
    if (!user.getOptions().getNoPassword()) {
      changed.setPassword(proposedHash(index, part, r.getHashedPassword()));
    }
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(r.getName(), changed.build());
    if (write(index, part, bump(s.with(users, s.roles)))) {
      invalidation.userChanged(r.getName());
    }
  }

  /** Granting role {@code root} needs no role object; granting a role the user holds is a silent success. */
  public void userGrantRole(long index, int part, String name, String role) throws EtcdException {
    State s = state;
    User user = s.users.get(name);
    if (user == null) {
      throw refuse(index, part, EtcdError.USER_NOT_FOUND);
    }
    if (!ROOT_ROLE.equals(role) && !s.roles.containsKey(role)) {
      throw refuse(index, part, EtcdError.ROLE_NOT_FOUND);
    }
    if (user.getRolesList().contains(role)) {
      store.markApplied(index, part);
      return;
    }
    List<String> roles = new ArrayList<>(user.getRolesList());
    roles.add(role);
    roles.sort(Comparator.naturalOrder());
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(name, user.toBuilder().clearRoles().addAllRoles(roles).build());
    write(index, part, bump(s.with(users, s.roles)));
  }

  public void userRevokeRole(long index, int part, String name, String role) throws EtcdException {
    State s = state;
    if (s.proto.getEnabled() && ROOT_USER.equals(name) && ROOT_ROLE.equals(role)) {
      throw refuse(index, part, EtcdError.INVALID_AUTH_MGMT);
    }
    User user = s.users.get(name);
    if (user == null) {
      throw refuse(index, part, EtcdError.USER_NOT_FOUND);
    }
    if (!user.getRolesList().contains(role)) {
      throw refuse(index, part, EtcdError.ROLE_NOT_GRANTED);
    }
    List<String> roles = new ArrayList<>(user.getRolesList());
    roles.removeIf(role::equals);
    Map<String, User> users = new TreeMap<>(s.users);
    users.put(name, user.toBuilder().clearRoles().addAllRoles(roles).build());
    write(index, part, bump(s.with(users, s.roles)));
  }

  public void roleAdd(long index, int part, String name) throws EtcdException {
    State s = state;
    if (name.isEmpty()) {
      throw refuse(index, part, EtcdError.ROLE_EMPTY);
    }
    if (s.roles.containsKey(name)) {
      throw refuse(index, part, EtcdError.ROLE_ALREADY_EXIST);
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.put(name, Role.newBuilder().setName(ByteString.copyFromUtf8(name)).build());
    write(index, part, bump(s.with(s.users, roles)));
  }

  /** Deleting a role also revokes it from every user holding it. */
  public void roleDelete(long index, int part, String name) throws EtcdException {
    State s = state;
    if (s.proto.getEnabled() && ROOT_ROLE.equals(name)) {
      throw refuse(index, part, EtcdError.INVALID_AUTH_MGMT);
    }
    if (!s.roles.containsKey(name)) {
      throw refuse(index, part, EtcdError.ROLE_NOT_FOUND);
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.remove(name);
    Map<String, User> users = new TreeMap<>(s.users);
    users.replaceAll((n, u) -> u.getRolesList().contains(name)
        ? u.toBuilder().clearRoles().addAllRoles(u.getRolesList().stream().filter(r -> !r.equals(name)).toList())
            .build()
        : u);
    write(index, part, bump(s.with(users, roles)));
  }

  /** A grant over an existing (key, range_end) replaces its type; permissions stay sorted by key. */
  public void roleGrantPermission(long index, int part, AuthRoleGrantPermissionRequest r) throws EtcdException {
    State s = state;
    if (!r.hasPerm()) {
      throw refuse(index, part, EtcdError.PERMISSION_NOT_GIVEN);
    }
    Permission p = r.getPerm();
    if (!isValidPermissionRange(p.getKey(), p.getRangeEnd())) {
      throw refuse(index, part, EtcdError.INVALID_AUTH_MGMT);
    }
    Role role = s.roles.get(r.getName());
    if (role == null) {
      throw refuse(index, part, EtcdError.ROLE_NOT_FOUND);
    }
    List<Permission> perms = new ArrayList<>(role.getKeyPermissionList());
    Permission granted = Permission.newBuilder()
        .setKey(p.getKey()).setRangeEnd(p.getRangeEnd()).setPermType(p.getPermType()).build();
    int same = indexOf(perms, p.getKey(), p.getRangeEnd());
    if (same >= 0) {
      perms.set(same, granted);
    } else {
      perms.add(granted);
      perms.sort((a, b) -> ByteString.unsignedLexicographicalComparator().compare(a.getKey(), b.getKey()));
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.put(r.getName(), role.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build());
    write(index, part, bump(s.with(s.users, roles)));
  }

  public void roleRevokePermission(long index, int part, AuthRoleRevokePermissionRequest r)
      throws EtcdException {
    State s = state;
    Role role = s.roles.get(r.getRole());
    if (role == null) {
      throw refuse(index, part, EtcdError.ROLE_NOT_FOUND);
    }
    List<Permission> perms = new ArrayList<>(role.getKeyPermissionList());
    if (!perms.removeIf(p -> p.getKey().equals(r.getKey()) && p.getRangeEnd().equals(r.getRangeEnd()))) {
      throw refuse(index, part, EtcdError.PERMISSION_NOT_GRANTED);
    }
    Map<String, Role> roles = new TreeMap<>(s.roles);
    roles.put(r.getRole(), role.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build());
    write(index, part, bump(s.with(s.users, roles)));
  }

  private static int indexOf(List<Permission> perms, ByteString key, ByteString rangeEnd) {
    for (int i = 0; i < perms.size(); i++) {
      if (perms.get(i).getKey().equals(key) && perms.get(i).getRangeEnd().equals(rangeEnd)) {
        return i;
      }
    }
    return -1;
  }

  /** etcd's isValidPermissionRange: a key is required; a range must not be empty unless it is open ("\0"). */
  static boolean isValidPermissionRange(ByteString key, ByteString rangeEnd) {
    if (key.isEmpty()) {
      return false;
    }
    if (rangeEnd.isEmpty() || KeyIntervals.isOpenEnd(rangeEnd)) {
      return true;
    }
    return ByteString.unsignedLexicographicalComparator().compare(key, rangeEnd) < 0;
  }

  private ByteString proposedHash(long index, int part, String hashedPassword) throws EtcdException {
    byte[] hash = Passwords.decodeProposed(hashedPassword); // an empty hash is kept (as etcd): nothing matches it
    if (hash == null) {
      // etcd answers a hash it cannot decode with this unmapped error (gRPC Unknown)
      store.markApplied(index, part);
      throw new EtcdException(GrpcCode.UNKNOWN,
          "auth: authentication failed, password was given for no password user");
    }
    return ByteString.copyFrom(hash);
  }

  private EtcdException refuse(long index, int part, EtcdError error) {
    store.markApplied(index, part); // the refusal is the entry's result
    return error.exception();
  }

  private static AuthState bump(AuthState.Builder b) {
    return b.setRevision(b.getRevision() + 1).build();
  }

  /** Persists {@code next} with the applied position; false on a replay (nothing changes). */
  private boolean write(long index, int part, AuthState next) {
    if (!store.putRecord(index, part, RECORD, next.toByteArray())) {
      return false;
    }
    state = State.of(next);
    return true;
  }

  @Override
  public void onCommit(long revision, List<Event> events) {}

  @Override
  public void onCommit(long revision, List<Event> events, java.util.function.Supplier<List<Event>> withPrevKv) {
    // nothing to do, and above all no read of the previous values
  }

  @Override
  public void storeReplaced() {
    state = State.of(load(store));
    invalidation.authDisabled(); // issued tokens may name users the installed snapshot no longer has
  }

  private static AuthState load(KvStore store) {
    byte[] bytes = store.record(RECORD);
    if (bytes == null) {
      return AuthState.newBuilder().setRevision(1).build(); // etcd starts a fresh auth store at revision 1
    }
    try {
      return AuthState.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreFailedException("corrupt auth store: " + e.getMessage(), e);
    }
  }

  /** The merged permissions of one user. */
  private record Perms(boolean root, KeyIntervals read, KeyIntervals write) {}

  /** An immutable view of the auth store with each user's permissions merged over its roles. */
  private record State(AuthState proto, Map<String, User> users, Map<String, Role> roles, Map<String, Perms> perms) {
    static State of(AuthState proto) {
      Map<String, User> users = new TreeMap<>();
      proto.getUsersList().forEach(u -> users.put(u.getName().toStringUtf8(), u));
      Map<String, Role> roles = new TreeMap<>();
      proto.getRolesList().forEach(r -> roles.put(r.getName().toStringUtf8(), r));
      Map<String, Perms> perms = new TreeMap<>();
      users.forEach((name, u) -> perms.put(name, merge(u, roles)));
      return new State(proto, users, roles, perms);
    }

    private static Perms merge(User u, Map<String, Role> roles) {
      KeyIntervals.Builder read = new KeyIntervals.Builder();
      KeyIntervals.Builder write = new KeyIntervals.Builder();
      for (String roleName : u.getRolesList()) {
        Role role = roles.get(roleName);
        if (role == null) {
          continue;
        }
        for (Permission p : role.getKeyPermissionList()) {
          boolean readable = p.getPermType() == Permission.Type.READ
              || p.getPermType() == Permission.Type.READWRITE;
          boolean writable = p.getPermType() == Permission.Type.WRITE
              || p.getPermType() == Permission.Type.READWRITE;
          if (readable) {
            read.addPermission(p.getKey(), p.getRangeEnd());
          }
          if (writable) {
            write.addPermission(p.getKey(), p.getRangeEnd());
          }
        }
      }
      return new Perms(u.getRolesList().contains(ROOT_ROLE), read.build(), write.build());
    }

    AuthState.Builder with(Map<String, User> users, Map<String, Role> roles) {
      return proto.toBuilder().clearUsers().addAllUsers(users.values()).clearRoles().addAllRoles(roles.values());
    }
  }

}
