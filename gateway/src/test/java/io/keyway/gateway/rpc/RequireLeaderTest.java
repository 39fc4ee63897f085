package io.keyway.gateway.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.gateway.testing.FakeMember;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * etcd's require-leader metadata ({@code hasleader: true}, clientv3's WithRequireLeader) on unary calls: without a
 * leader the member answers "no leader" at once, so the client can go to another member; with a leader, or
 * without the metadata, the call runs as usual.
 */
class RequireLeaderTest {
  private final FakeMember member = new FakeMember();
  private final EtcdRpcs rpcs = EtcdRpcs.create(member, member, List.of());

  @AfterEach
  void close() {
    member.close();
  }

  private Object put(boolean requireLeader) {
    try {
      return rpcs.invoke(rpcs.find("etcdserverpb.KV/Put"),
          PutRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).build(), null,
          requireLeader).toCompletableFuture().join();
    } catch (CompletionException e) {
      RpcFailure f = RpcFailure.of(e);
      return f.code() + " " + f.message();
    }
  }

  @Test
  void withoutALeaderACallerThatRequiresOneIsRefusedAtOnce() {
    member.setLeader(0);
    assertEquals("14 etcdserver: no leader", put(true));
  }

  @Test
  void withALeaderOrWithoutTheMetadataTheCallRuns() {
    assertTrue(put(true) instanceof PutResponse);
    member.setLeader(0);
    assertTrue(put(false) instanceof PutResponse, "no metadata: the member does not refuse");
  }

  @Test
  void onlyTheValueTrueRequiresALeader() {
    assertTrue(EtcdRpcs.requiresLeader("true"));
    assertTrue(!EtcdRpcs.requiresLeader(null) && !EtcdRpcs.requiresLeader("false"));
  }
}
